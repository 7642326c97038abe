import { createLogger } from '../../src/logger.ts';

/** A real pino logger that stays quiet unless HARMONISE_TEST_LOG_LEVEL asks for more. */
export const testLogger = createLogger(process.env.HARMONISE_TEST_LOG_LEVEL ?? 'silent');
