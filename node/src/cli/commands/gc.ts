import { Command } from 'commander'
import { apiFetch, resolveApi } from '../api-client.js'

export function gcCommand (): Command {
  return new Command('gc')
    .description('delete every stored block that no pinned session reaches (asks the running node)')
    .option('--home <dir>', 'node home directory (default: $LUCID_HOME, else ~/.lucid)')
    .option('--api <url>', 'node API URL (default: the running node of --home)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { home?: string, api?: string, json?: boolean }) => {
      const t = await resolveApi(opts)
      const r = await (await apiFetch(t, '/api/v1/gc', { method: 'POST' }, true)).json() as { deleted: number }
      process.stdout.write(opts.json === true ? JSON.stringify(r) + '\n' : `gc: deleted ${r.deleted} unpinned blocks\n`)
    })
}
