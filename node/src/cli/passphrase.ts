/**
 * The keystore passphrase: from LUCID_PASSPHRASE, or asked on the terminal (/dev/tty, so it works while stdin carries
 * a recording). Never from a flag, never echoed, never logged.
 */
import { openSync } from 'node:fs'
import { ReadStream, WriteStream } from 'node:tty'
import { UsageError } from './usage-error.js'

async function ask (prompt: string): Promise<string> {
  let fd: number
  try { fd = openSync('/dev/tty', 'r+') } catch {
    throw new UsageError('no passphrase: set LUCID_PASSPHRASE, or run on a terminal to be asked for it')
  }
  const input = new ReadStream(fd)
  const output = new WriteStream(fd)
  // Raw mode (no echo) before the prompt shows: an answer typed or pasted at once must never be echoed.
  input.setRawMode(true)
  output.write(prompt)
  return await new Promise((resolve, reject) => {
    let value = ''
    const finish = (err?: Error): void => {
      input.setRawMode(false)
      input.removeAllListeners('data')
      input.destroy()
      output.write('\n')
      if (err !== undefined) reject(err); else resolve(value)
    }
    input.on('data', (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish()
        if (ch === '\u0003') return finish(new UsageError('cancelled', 130))
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1)
        else value += ch
      }
    })
  })
}

export async function readPassphrase (opts: { confirm?: boolean } = {}, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env.LUCID_PASSPHRASE
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  const first = await ask('Keystore passphrase: ')
  if (opts.confirm === true && (await ask('Repeat passphrase: ')) !== first) throw new UsageError('the two passphrases differ')
  return first
}
