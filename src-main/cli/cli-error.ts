// Errors meant for the person at the terminal: printed as one line, never with a stack trace.
export class CliError extends Error {
  constructor(
    message: string,
    /** 2: wrong usage; 1: the command ran but failed */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string): CliError {
  return new CliError(`${message}\nRun "w2w --help" for usage.`, 2);
}
