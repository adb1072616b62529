import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';

/** The room in Linux's `sockaddr_un.sun_path`, in bytes. @internal */
export const SUN_PATH_BYTES = 108;

/**
 * Where sd_notify datagrams go, from `NOTIFY_SOCKET`: a socket file, or a
 * name in Linux's abstract namespace (`@name`). `address` is the value as
 * the addon takes it.
 * @internal
 */
export type NotifyAddress =
  | { readonly kind: 'path'; readonly address: string }
  | { readonly kind: 'abstract'; readonly address: string; readonly name: string };

const encoder = new TextEncoder();

/**
 * Reads `NOTIFY_SOCKET` as systemd sets it: an absolute path (its bytes and
 * the terminating NUL must fit `sun_path`), or `@name` (the NUL that starts
 * an abstract address, then the name's bytes, must fit). Throws a
 * `DaemonError` (`NotifySocketInvalid`) for anything else: a relative path,
 * an empty name, an address that does not fit, another family (`vsock:`).
 * @internal
 */
export function parseNotifyAddress(value: string): NotifyAddress {
  const bytes = encoder.encode(value).length;
  if (value.startsWith('@')) {
    if (value.length === 1) throw invalid(value, 'an abstract name after "@" is missing');
    if (bytes > SUN_PATH_BYTES) throw invalid(value, `an abstract name fits ${SUN_PATH_BYTES - 1} bytes, this one has ${bytes - 1}`);
    return { kind: 'abstract', address: value, name: value.slice(1) };
  }
  if (value.startsWith('/')) {
    if (value.includes('\0')) throw invalid(value, 'a path cannot hold a NUL byte');
    if (bytes + 1 > SUN_PATH_BYTES) throw invalid(value, `a socket path fits ${SUN_PATH_BYTES - 1} bytes, this one has ${bytes}`);
    return { kind: 'path', address: value };
  }
  if (value.startsWith('vsock:')) throw invalid(value, 'AF_VSOCK addresses are not supported, only unix sockets');
  throw invalid(value, value === '' ? 'it is empty' : 'a relative path is not an address systemd gives');
}

function invalid(value: string, why: string): DaemonError {
  return DaemonError.platform(
    `NOTIFY_SOCKET=${JSON.stringify(value)} is not a notification socket (${why}): set it to an absolute path or an @abstract name, or unset it; no systemd notification is sent`,
    { code: ErrorCode.NotifySocketInvalid },
  );
}
