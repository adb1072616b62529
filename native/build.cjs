'use strict';
// Builds the sd_notify addon (native/notify.c → build/Release/proc_daemon_notify.node) at
// install: `npm install` / `npm ci` run it as the package's `install` script, and
// `npm rebuild proc-daemon` runs it again.
//
// Installing proc-daemon never fails because of it: the addon only serves systemd's
// Type=notify (Linux), and a daemon without it runs normally (it warns once when
// NOTIFY_SOCKET asks for notifications). So: Linux only; silent when it works; on any
// failure ONE line saying that systemd notifications will be off and why, and exit 0.
// PROC_DAEMON_SKIP_NATIVE=1 skips the build.
//
// node-gyp: the one npm runs scripts with (npm_config_node_gyp), else the one bundled with
// the npm that runs this script (npm_execpath), else a node-gyp installed beside the
// package, else the one bundled with the npm installed next to this Node. Node's headers:
// npm's `nodedir` when set, else those installed with this Node (<prefix>/include/node),
// else node-gyp fetches them as it always does.
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const root = dirname(__dirname);
const ADDON = join(root, 'build', 'Release', 'proc_daemon_notify.node');
const LOG = join(root, 'build', 'native-build.log');
const TIMEOUT_MS = 5 * 60_000;

function off(why) {
  process.stderr.write(
    `proc-daemon: systemd notifications (sd_notify) will be off: ${why}. ` +
      'To turn them on, install a C compiler, make and python3, then run `npm rebuild proc-daemon`.\n',
  );
  process.exit(0);
}

function nodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  if (process.env.npm_execpath) candidates.push(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] }));
  } catch {
    // Not installed beside the package: the next place.
  }
  const prefix = dirname(dirname(process.execPath));
  candidates.push(join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((path) => existsSync(path));
}

function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

/** The cause of a failed build, in a few words, from node-gyp's output. */
function reasonOf(output) {
  if (/find Python|Could not find any Python/i.test(output)) return 'node-gyp found no python3';
  if (/make: (not found|No such file)|not found: make|spawn make ENOENT/i.test(output)) return 'make is not installed';
  if (/(cc|gcc|g\+\+|c\+\+): (not found|No such file|command not found)|spawn (cc|gcc) ENOENT/i.test(output)) return 'no C compiler (cc) is installed';
  if (/node_api\.h: No such file/i.test(output)) return "Node's headers (node_api.h) are missing";
  if (/(getaddrinfo|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN)/.test(output)) return "node-gyp could not download Node's headers";
  // The first line that says what went wrong (a compiler's `error:`, make's `***`), not node-gyp's summary.
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^gyp (ERR!|info) (stack|System|command|cwd|node -v|node-gyp -v|not ok)|^make: (Entering|Leaving) directory/.test(l));
  const first = lines.find((l) => /error:|No such file|not found|\*\*\*/i.test(l)) ?? lines.at(-1);
  return first === undefined ? 'the build failed' : `the build failed (${first.replace(/^gyp ERR! /, '').slice(0, 160)})`;
}

function main() {
  if (process.env.PROC_DAEMON_SKIP_NATIVE === '1') return;
  if (process.platform !== 'linux') return;
  const gyp = nodeGyp();
  if (gyp === undefined) off('node-gyp was not found (it comes with npm)');
  const run = spawnSync(process.execPath, [gyp, 'rebuild', '--loglevel=error', ...nodedirArgs()], {
    cwd: root,
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    env: process.env,
  });
  const output = `${run.stdout ?? ''}\n${run.stderr ?? ''}`;
  if (run.error !== undefined || run.status !== 0 || !existsSync(ADDON)) {
    try {
      mkdirSync(dirname(LOG), { recursive: true });
      writeFileSync(LOG, output);
    } catch {
      // The log is a courtesy: the one line below says what matters.
    }
    const why = run.error !== undefined ? `node-gyp did not run (${run.error.message})` : reasonOf(output);
    off(`${why}; the whole output is in build/native-build.log`);
  }
  // The addon must load in this Node: a build that does not is no build.
  try {
    require(ADDON);
  } catch (err) {
    off(`the addon was built but does not load (${String(err && err.message).split('\n')[0]})`);
  }
}

main();
