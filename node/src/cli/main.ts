/** The `lucid` command line. Every failure is one line on stderr, `lucid: <what is wrong>`, and a non-zero exit. */
import { Command, CommanderError } from 'commander'
import { LUCID_VERSION } from '../version.js'
import { UsageError } from './usage-error.js'
import { initCommand } from './commands/init.js'
import { sealCommand } from './commands/seal.js'
import { verifyCommand } from './commands/verify.js'
import { unsealCommand } from './commands/unseal.js'
import { demoCommand } from './commands/demo.js'
import { startCommand } from './commands/start.js'
import { configCommand } from './commands/config.js'
import { sessionCommand } from './commands/session.js'
import { gcCommand } from './commands/gc.js'
import { devnetCommand } from './commands/devnet.js'

export function buildProgram (): Command {
  const program = new Command('lucid')
    .description('Lucid: sealed, replicated, anchored session recordings on a peer-to-peer swarm')
    .version(LUCID_VERSION)
  for (const cmd of [demoCommand(), initCommand(), sealCommand(), verifyCommand(), unsealCommand()]) program.addCommand(cmd)
  for (const cmd of [startCommand(), configCommand(), sessionCommand(), gcCommand(), devnetCommand()]) program.addCommand(cmd)
  const strict = (cmd: Command): void => {
    cmd.exitOverride().showHelpAfterError(false).allowExcessArguments(false)
      .configureOutput({ outputError: () => {} })
    cmd.commands.forEach(strict)
  }
  strict(program)
  return program
}

export async function main (argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' })
    return 0
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0
      process.stderr.write(`lucid: ${err.message.replace(/^error: /, '')}\n`)
      return err.exitCode === 0 ? 0 : 2
    }
    if (err instanceof UsageError) {
      if (err.message !== '') process.stderr.write(`lucid: ${err.message}\n`)
      return err.exitCode
    }
    const e = err as Error
    process.stderr.write(`lucid: ${e.message}\n`)
    if (process.env.LUCID_DEBUG === '1') process.stderr.write(`${e.stack ?? ''}\n`)
    return 1
  }
}

process.exitCode = await main(process.argv.slice(2))
