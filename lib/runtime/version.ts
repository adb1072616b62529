/**
 * The proc-daemon package version (`/status`'s `version`); a spec keeps it
 * equal to package.json's.
 * @internal
 */
export const VERSION = '0.1.0';
