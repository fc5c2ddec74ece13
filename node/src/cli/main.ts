/** The `lucid` command line. Every failure is one line on stderr, `lucid: <what is wrong>`, and a non-zero exit. */
import { Command, CommanderError } from 'commander'
import { LUCID_VERSION } from '../version.js'
import { UsageError } from './usage-error.js'

/**
 * Each command's module is imported only when that command runs: `lucid seal` must not pay for libp2p and Helia
 * (190 MB of RSS and a slower start). Help and unknown commands load them all. One line per command.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  demo: async () => (await import('./commands/demo.js')).demoCommand(),
  init: async () => (await import('./commands/init.js')).initCommand(),
  seal: async () => (await import('./commands/seal.js')).sealCommand(),
  verify: async () => (await import('./commands/verify.js')).verifyCommand(),
  unseal: async () => (await import('./commands/unseal.js')).unsealCommand(),
  start: async () => (await import('./commands/start.js')).startCommand(),
  config: async () => (await import('./commands/config.js')).configCommand(),
  session: async () => (await import('./commands/session.js')).sessionCommand(),
  status: async () => (await import('./commands/status.js')).statusCommand(),
  peers: async () => (await import('./commands/status.js')).peersCommand(),
  gc: async () => (await import('./commands/gc.js')).gcCommand(),
  chain: async () => (await import('./commands/chain.js')).chainCommand(),
  genesis: async () => (await import('./commands/genesis.js')).genesisCommand(),
  contracts: async () => (await import('./commands/contracts.js')).contractsCommand(),
  devnet: async () => (await import('./commands/devnet.js')).devnetCommand(),
  payout: async () => (await import('./commands/payout.js')).payoutCommand(),
  sim: async () => (await import('./commands/sim.js')).simCommand()
}

export async function buildProgram (argv: string[] = []): Promise<Command> {
  const program = new Command('lucid')
    .description('Lucid: sealed, replicated, anchored session recordings on a peer-to-peer swarm')
    .version(LUCID_VERSION)
  const first = argv.find((a) => !a.startsWith('-'))
  const versionOnly = first === undefined && (argv.includes('--version') || argv.includes('-V'))
  const names = versionOnly ? [] : first !== undefined && first in COMMANDS ? [first] : Object.keys(COMMANDS)
  for (const name of names) program.addCommand(await COMMANDS[name]())
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
    await (await buildProgram(argv)).parseAsync(argv, { from: 'user' })
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
