/**
 * The `harmonise` command. Exit codes: 0 success, 1 the thing asked for failed or was rejected,
 * 2 bad usage or input, 3 the service is unreachable (docs/interfaces.md).
 */
import { Command, CommanderError } from 'commander';
import { HarmoniseError, ServiceUnreachableError, UsageError, errorMessage } from '../errors.ts';
import { addCampaignCommands } from './campaign-commands.ts';
import { ExitCode } from './output.ts';
import { addRecordCommands } from './record-commands.ts';
import { addServiceCommands } from './service-commands.ts';
import { addTokenCommands } from './token-commands.ts';

export function buildProgram(): Command {
  const program = new Command('harmonise')
    .description(
      "Harmonised re-processing of Denmark's national genome database on Temporal (local executor by default).\n" +
        'Configuration comes from HARMONISE_* environment variables (see docs/configuration.md).',
    )
    .showHelpAfterError()
    .exitOverride();

  addServiceCommands(program);
  addRecordCommands(program);
  addCampaignCommands(program);
  addTokenCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    process.stderr.write(`harmonise: ${describe(error)}\n`);
    if (error instanceof UsageError) return ExitCode.usage;
    if (error instanceof ServiceUnreachableError) return ExitCode.unreachable;
    if (error instanceof HarmoniseError && error.code === 'CONFIG_INVALID') return ExitCode.usage;
    if (error instanceof Error && error.name === 'ZodError') return ExitCode.usage;
    return ExitCode.failed;
  }
}

function describe(error: unknown): string {
  const cause =
    error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${errorMessage(error)}${cause}`;
}
