// A command line the klambda command cannot run: printed with a pointer to the command's --help, exit code 2.
export class UsageError extends Error {
  /** The subcommand whose options were wrong (dev, controller, router), to point at its --help. */
  command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}
