import { pino } from 'pino';

/** A logger that writes nothing. @internal */
export const silentLogger = pino({ level: 'silent' });
