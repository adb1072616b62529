import { Observable } from 'rxjs';
import type { SignalBinding, SignalConfig } from './signal-config.js';

/**
 * Where signals come from: the process, or a test's stand-in.
 * @internal
 */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): void;
  off(signal: NodeJS.Signals, listener: () => void): void;
}

/**
 * The configured signals as an Observable: handlers are installed on
 * subscription and removed on unsubscription.
 * @internal
 */
export function processSignals(config: SignalConfig, host: SignalSource): Observable<SignalBinding> {
  return new Observable<SignalBinding>((subscriber) => {
    const installed: Array<[NodeJS.Signals, () => void]> = [];
    for (const binding of config.bindings.values()) {
      const listener = (): void => subscriber.next(binding);
      host.on(binding.signal, listener);
      installed.push([binding.signal, listener]);
    }
    return () => {
      for (const [signal, listener] of installed) host.off(signal, listener);
    };
  });
}
