import { constants } from 'node:os';
import { thrown } from '../helpers/assertions.js';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { SignalConfig, type SignalBinding } from '../../lib/signal/signal-config.js';
import { signalDescription } from '../../lib/signal/signal-description.js';

const SIG = constants.signals;

/** `name:role` for every binding, in insertion order. */
function roles(config: SignalConfig): string[] {
  return [...config.bindings.values()].map((b) => `${b.signal}:${b.role}`);
}


describe('SignalConfig', () => {
  describe('new', () => {
    it('handles SIGTERM, SIGINT, SIGQUIT as shutdown and SIGHUP as reload on linux', () => {
      const config = SignalConfig.new('linux');
      expect(roles(config)).toEqual(['SIGTERM:shutdown', 'SIGINT:shutdown', 'SIGQUIT:shutdown', 'SIGHUP:reload']);
      expect(config.get('SIGTERM')).toEqual<SignalBinding>({
        signal: 'SIGTERM',
        signo: SIG.SIGTERM,
        role: 'shutdown',
        description: 'SIGTERM',
      });
      expect(config.get('SIGHUP')?.signo).toBe(SIG.SIGHUP);
      expect(config.get('SIGINT')?.signo).toBe(SIG.SIGINT);
      expect(config.get('SIGQUIT')?.signo).toBe(SIG.SIGQUIT);
    });

    it('uses the current platform by default', () => {
      expect(roles(SignalConfig.new())).toEqual(roles(SignalConfig.new(process.platform)));
    });

    it('handles SIGINT, SIGBREAK and the console closing (SIGHUP) as shutdown on win32', () => {
      const config = SignalConfig.new('win32');
      expect(roles(config)).toEqual(['SIGINT:shutdown', 'SIGBREAK:shutdown', 'SIGHUP:shutdown']);
      expect(config.get('SIGHUP')?.description).toBe('console closed');
      expect(config.get('SIGTERM')).toBeUndefined();
      expect(config.get('SIGQUIT')).toBeUndefined();
    });

    it('freezes each binding', () => {
      for (const binding of SignalConfig.new('linux').bindings.values()) expect(Object.isFrozen(binding)).toBe(true);
    });
  });

  describe('none', () => {
    it('handles no signal', () => {
      expect(SignalConfig.none().bindings.size).toBe(0);
    });
  });

  describe('with/without', () => {
    it('adds SIGUSR1 and SIGUSR2 as notify', () => {
      const config = SignalConfig.new('linux').withSigusr1().withSigusr2();
      expect(config.get('SIGUSR1')).toEqual({ signal: 'SIGUSR1', signo: SIG.SIGUSR1, role: 'notify', description: 'SIGUSR1' });
      expect(config.get('SIGUSR2')?.role).toBe('notify');
      expect(config.bindings.size).toBe(6);
    });

    it('removes SIGINT, SIGTERM, SIGQUIT and SIGHUP', () => {
      const config = SignalConfig.new('linux').withoutSigint().withoutSigterm().withoutSigquit().withoutSighup();
      expect(config.bindings.size).toBe(0);
    });

    it('adds SIGHUP as reload, SIGTERM and SIGINT as shutdown', () => {
      const config = SignalConfig.none().withSighup().withSigterm().withSigint();
      expect(roles(config)).toEqual(['SIGHUP:reload', 'SIGTERM:shutdown', 'SIGINT:shutdown']);
    });

    it('turns the win32 console-close SIGHUP into a reload with withSighup', () => {
      expect(SignalConfig.new('win32').withSighup().get('SIGHUP')?.role).toBe('reload');
    });

    it('keeps one binding per signal when a signal is added twice', () => {
      expect(SignalConfig.new('linux').withSighup().withSigterm().bindings.size).toBe(4);
    });

    it('returns a new config from every method and leaves the original unchanged', () => {
      const base = SignalConfig.new('linux');
      const before = roles(base);
      const derived = [
        base.withSighup(),
        base.withoutSighup(),
        base.withSigusr1(),
        base.withSigusr2(),
        base.withSigterm(),
        base.withSigint(),
        base.withoutSigterm(),
        base.withoutSigint(),
        base.withoutSigquit(),
        base.withCustomHandler(SIG.SIGUSR2, 'rotate logs'),
      ];
      for (const d of derived) {
        expect(d).toBeInstanceOf(SignalConfig);
        expect(d).not.toBe(base);
        expect(d.bindings).not.toBe(base.bindings);
      }
      expect(roles(base)).toEqual(before);
      expect(roles(derived[1] as SignalConfig)).toEqual(['SIGTERM:shutdown', 'SIGINT:shutdown', 'SIGQUIT:shutdown']);
      expect(roles(derived[6] as SignalConfig)).toEqual(['SIGINT:shutdown', 'SIGQUIT:shutdown', 'SIGHUP:reload']);
    });
  });

  describe('withCustomHandler', () => {
    it('handles a signal given by number, as notify with the description', () => {
      const config = SignalConfig.new('linux').withCustomHandler(SIG.SIGUSR2, 'rotate logs');
      expect(config.get('SIGUSR2')).toEqual({ signal: 'SIGUSR2', signo: SIG.SIGUSR2, role: 'notify', description: 'rotate logs' });
    });

    it('handles a signal given by name', () => {
      const config = SignalConfig.none().withCustomHandler('SIGWINCH', 'resize');
      expect(config.get('SIGWINCH')).toEqual({ signal: 'SIGWINCH', signo: SIG.SIGWINCH, role: 'notify', description: 'resize' });
    });

    it('falls back to the signal name when the description is empty', () => {
      expect(SignalConfig.none().withCustomHandler(SIG.SIGUSR1, '').get('SIGUSR1')?.description).toBe('SIGUSR1');
    });

    it('rejects an unknown signal number with DaemonError kind signal, code SignalUnknown', () => {
      const err = thrown(() => SignalConfig.new('linux').withCustomHandler(999, 'nope'));
      expect(err.kind).toBe('signal');
      expect(err.code).toBe(ErrorCode.SignalUnknown);
      expect(err.code).toBe(2001);
      expect(err.message).toContain('withCustomHandler(999)');
    });

    it('rejects an unknown signal name with code SignalUnknown', () => {
      const err = thrown(() => SignalConfig.none().withCustomHandler('SIGNOPE' as NodeJS.Signals, 'nope'));
      expect(err.kind).toBe('signal');
      expect(err.code).toBe(2001);
    });

    it.each([
      ['SIGKILL by number', SIG.SIGKILL],
      ['SIGKILL by name', 'SIGKILL'],
      ['SIGSTOP by name', 'SIGSTOP'],
    ] as const)('rejects the uncatchable %s with code SignalUnknown', (_label, signo) => {
      const err = thrown(() => SignalConfig.none().withCustomHandler(signo, 'x'));
      expect(err.kind).toBe('signal');
      expect(err.code).toBe(2001);
      expect(err.message).toContain('cannot be caught');
    });

    it('refuses a signal that already starts shutdown or reloads, naming the way out', () => {
      const term = thrown(() => SignalConfig.new('linux').withCustomHandler('SIGTERM', 'x'));
      expect(term.code).toBe(2003);
      expect(term.message).toContain('SIGTERM already starts shutdown');
      expect(term.message).toContain('withoutSigterm()');
      const hup = thrown(() => SignalConfig.new('linux').withCustomHandler(SIG.SIGHUP, 'x'));
      expect(hup.message).toContain('SIGHUP already reloads the config');
      expect(SignalConfig.new('linux').withoutSigterm().withCustomHandler('SIGTERM', 'x').get('SIGTERM')?.role).toBe('notify');
    });
  });
});

describe('signalDescription', () => {
  it('names a known signal number', () => {
    expect(signalDescription(15)).toBe('SIGTERM');
    expect(signalDescription(SIG.SIGINT)).toBe('SIGINT');
    expect(signalDescription(SIG.SIGHUP)).toBe('SIGHUP');
  });

  it('reads "signal N" for a number the platform has no signal for', () => {
    expect(signalDescription(999)).toBe('signal 999');
    expect(signalDescription(-1)).toBe('signal -1');
  });
});
