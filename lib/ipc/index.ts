/**
 * proc-daemon/ipc: a local control socket, bound safely. {@link bind}
 * creates a Unix domain socket whose file has mode 0600 from the moment it
 * exists at its path (no window where another user could connect), refuses
 * a symbolic link or any non-socket at the path, reports a live socket as
 * in use, and replaces a dead one. Windows named pipes are accepted.
 *
 * @packageDocumentation
 */

export { type BindOptions, bind } from './bind.js';
