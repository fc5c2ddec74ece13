// The payout sidecar's container image (docker/payment-sidecar.Dockerfile), built here by docker/build.sh with
// buildah (vfs storage in a temporary root, chroot isolation, local stand-ins for the base images: no Docker engine
// and no container registry on this machine) and checked by running it: `buildah run --isolation chroot` runs the
// image's own files as user 65532, sharing the host's network, so the sidecar inside reaches the chain and the TRON
// stand-in this test starts on 127.0.0.1.
// The same suite runs twice: for this machine's architecture, and for the other of amd64/arm64 (arm64 on x86-64: the
// Raspberry Pi 5's), built with `docker/build.sh --arch` on stand-in bases of that architecture and run under qemu
// user-mode emulation: the build's RUN steps and every `buildah run` of the image start its aarch64 Node through
// binfmt_misc (qemu-aarch64 with the F flag, so the interpreter is found from inside the chroot).
// Skipped only when buildah cannot run at all (not installed, or not root), and the other architecture's suite also
// when qemu user-mode emulation is not available (no qemu-user-static, binfmt_misc not mountable); CI installs both
// (.ci/apt-packages), and build.sh registers the binfmt entry when it is missing.
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chownSync, closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openKeys, readKeystore } from '../../../payment-sidecar/src/keystore.js'
import { privateKeyToTronAddress } from '../../../payment-sidecar/src/tron/address.js'
import { commitBatch, holders, makeBatch, openWorld, sidecarConfigJson, USD, type World } from '../../payment-sidecar/support/world.js'
import { waitFor } from '../../support/wait-for.js'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
type Arch = 'amd64' | 'arm64'
const HOST_ARCH: Arch | undefined = process.arch === 'x64' ? 'amd64' : process.arch === 'arm64' ? 'arm64' : undefined
const ARCHES: Record<Arch, { node: string, elfMachine: number, qemu: string }> = {
  amd64: { node: 'x64', elfMachine: 62, qemu: 'x86_64' },
  arm64: { node: 'arm64', elfMachine: 183, qemu: 'aarch64' }
}
const NONROOT = 65532
const BUNDLE = '/opt/lucid/payment-sidecar/dist/lucid-payout.mjs'
const CONTRACTS = '/opt/lucid/contracts/build'

interface Ran { code: number, stdout: string, stderr: string }

/** Runs a command to its end (bounded), collecting its output. */
async function run (cmd: string, args: string[], timeoutMs = 120_000, env?: NodeJS.ProcessEnv): Promise<Ran> {
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env })
  let stdout = ''
  let stderr = ''
  p.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  p.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs)
  const code = await new Promise<number>((resolve) => {
    p.on('error', (e) => { stderr += e.message; resolve(-1) })
    p.on('close', (c) => resolve(c ?? -1))
  })
  clearTimeout(timer)
  return { code, stdout, stderr }
}

async function freePort (): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as { port: number }
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

/** Every path under `dir` (relative), not following symlinks. */
function walk (dir: string, base = dir): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    out.push(relative(base, p))
    if (lstatSync(p).isDirectory()) out.push(...walk(p, base))
  }
  return out
}

/** The processes below `pid` (from /proc/<pid>/stat's parent field). */
function descendants (pid: number): number[] {
  const parent = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {} // gone meanwhile
  }
  const out: number[] = []
  for (let frontier = [pid]; frontier.length > 0;) {
    const next = [...parent].filter(([, pp]) => frontier.includes(pp)).map(([p]) => p)
    out.push(...next)
    frontier = next
  }
  return out
}

/** The image's node running the sidecar, below a `buildah run` process (under emulation: the qemu running it). */
function sidecarInside (buildahPid: number): number[] {
  return descendants(buildahPid).filter((p) => {
    try {
      const exe = readlinkSync(`/proc/${p}/exe`)
      return (exe.endsWith('/nodejs/bin/node') || /\/qemu-[\w-]+$/.test(exe)) && readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes(BUNDLE)
    } catch { return false }
  })
}

/** The ELF machine field (e_machine) of a file: 62 x86-64, 183 aarch64. */
function elfMachine (file: string): number {
  const fd = openSync(file, 'r')
  try {
    const head = Buffer.alloc(20)
    readSync(fd, head, 0, 20, 0)
    assert.equal(head.subarray(0, 4).toString('latin1'), '\x7fELF', `${file} is not an ELF file`)
    return head.readUInt16LE(18)
  } finally { closeSync(fd) }
}

/**
 * Why another architecture's image cannot be built and run here, or undefined when it can: qemu-user-static's
 * interpreter for that CPU and binfmt_misc (mounted here when it is not; build.sh registers the entry itself).
 */
function noEmulation (arch: Arch): string | undefined {
  const cpu = ARCHES[arch].qemu
  if (!existsSync(`/usr/bin/qemu-${cpu}-static`)) return `/usr/bin/qemu-${cpu}-static is missing (apt-get install qemu-user-static)`
  const bm = '/proc/sys/fs/binfmt_misc'
  if (existsSync(join(bm, `qemu-${cpu}`))) return undefined
  if (!existsSync(join(bm, 'register'))) {
    const mounted = spawnSync('mount', ['-t', 'binfmt_misc', 'binfmt_misc', bm], { encoding: 'utf8' })
    if (mounted.status !== 0) return `binfmt_misc cannot be mounted on ${bm} (${(mounted.stderr ?? '').trim() || `exit ${mounted.status}`})`
  }
  if (!existsSync(`/usr/lib/binfmt.d/qemu-${cpu}.conf`)) return `qemu-${cpu} is not registered with binfmt_misc and /usr/lib/binfmt.d/qemu-${cpu}.conf is missing`
  return undefined
}

for (const arch of HOST_ARCH === undefined ? [] : [HOST_ARCH, HOST_ARCH === 'amd64' ? 'arm64' as const : 'amd64' as const]) {
  imageSuite(arch, arch !== HOST_ARCH)
}

function imageSuite (arch: Arch, emulated: boolean): void {
  const TAG = `localhost/lucid-payout:image-test-${arch}`
  describe(`container: the payout sidecar image (docker/payment-sidecar.Dockerfile, built with buildah), ${arch}${emulated ? ' under qemu user-mode emulation' : ''}`, function () {
    this.timeout(240_000)
    let tmp = ''
    let storage: string[] = []
    let ctr = ''
    let rootfs = ''
    let entrypoint: string[] = []
    let config: Record<string, any> = {}
    let manifestLayers: number[] = []
    let architecture: string[] = []

    // buildah's own temporary files (a `run`'s hosts, resolv.conf, bind targets) go under the test's folder too
    const env = (): NodeJS.ProcessEnv => ({ ...process.env, TMPDIR: join(tmp, 'tmp') })
    const buildah = async (args: string[], timeoutMs?: number): Promise<Ran> => await run('buildah', [...storage, ...args], timeoutMs, env())
    /** `buildah run` in the image's working container: as user 65532 unless `user` says otherwise. */
    const inImage = async (cmd: string[], opts: { user?: string | null, volumes?: string[], env?: string[] } = {}): Promise<Ran> => {
      const user = opts.user === undefined ? [`--user`, `${NONROOT}:${NONROOT}`] : opts.user === null ? [] : ['--user', opts.user]
      return await buildah(['run', '--isolation', 'chroot', ...user, ...(opts.volumes ?? []).flatMap((v) => ['-v', v]), ...(opts.env ?? []).flatMap((e) => ['-e', e]), ctr, '--', ...cmd])
    }

    before(async function () {
      this.timeout(600_000)
      if (process.getuid?.() !== 0) {
        console.log(`      skipped: buildah (vfs storage, chroot isolation) needs root here; this is uid ${process.getuid?.() ?? '?'}`)
        this.skip()
      }
      const version = await run('buildah', ['--version'])
      if (version.code !== 0) {
        console.log(`      skipped: buildah cannot run (${version.stderr.trim() || `exit ${version.code}`}); apt-get install buildah`)
        this.skip()
      }
      const why = emulated ? noEmulation(arch) : undefined
      if (why !== undefined) {
        console.log(`      skipped: the ${arch} image is built and run here under qemu user-mode emulation, which is not available: ${why}`)
        this.skip()
      }
      tmp = mkdtempSync(join(tmpdir(), 'lucid-image-test-'))
      storage = ['--storage-driver', 'vfs', '--root', join(tmp, 'storage'), '--runroot', join(tmp, 'run')]
      mkdirSync(join(tmp, 'tmp'))
      // the build, as an operator runs it (stand-in bases built once here, then the image)
      const t0 = Date.now()
      const built = await run('bash', [join(REPO, 'docker', 'build.sh'), '--arch', arch, '--root', join(tmp, 'storage'), '--runroot', join(tmp, 'run'), '--tag', TAG], 540_000, env())
      assert.equal(built.code, 0, `docker/build.sh --arch ${arch} failed:\n${built.stderr.slice(-4000)}`)
      console.log(`      ${arch} image built by docker/build.sh in ${((Date.now() - t0) / 1000).toFixed(1)} s (stand-in bases included${emulated ? '; its RUN steps emulated' : ''})`)
      const inspected = await buildah(['inspect', '--type', 'image', TAG])
      assert.equal(inspected.code, 0, inspected.stderr)
      const img = JSON.parse(inspected.stdout)
      config = img.Docker.config
      architecture = [img.Docker.architecture, img.OCIv1.architecture]
      manifestLayers = (JSON.parse(img.Manifest).layers as Array<{ size: number }>).map((l) => l.size)
      entrypoint = config.Entrypoint
      const from = await buildah(['from', '--pull=never', '--arch', arch, TAG])
      assert.equal(from.code, 0, from.stderr)
      ctr = from.stdout.trim()
      // buildah 1.28's `run` mounts the image's VOLUME (an anonymous volume) and a -v bind of the same path in random
      // order, so the bind was shadowed in about one run of eight. Docker and podman let the -v replace the volume; the
      // working container here drops the declaration (the image keeps it: checked below on the image's own config).
      const unvolume = await buildah(['config', '--volume', '/var/lib/lucid-payout-', ctr])
      assert.equal(unvolume.code, 0, unvolume.stderr)
      const mounted = await buildah(['mount', ctr])
      assert.equal(mounted.code, 0, mounted.stderr)
      rootfs = mounted.stdout.trim()
    })

    after(async () => {
      if (tmp === '') return
      await buildah(['rm', '--all'])
      await buildah(['rmi', '--all', '--force'])
      rmSync(tmp, { recursive: true, force: true })
    })

    it(`is for ${arch}: the image config, its bases (stand-ins of that architecture) and its Node binary`, async () => {
      assert.deepEqual(architecture, [arch, arch])
      assert.equal(config.Labels?.['lucid.stand-in'], 'true', 'built on the stand-in bases')
      const bases = await buildah(['images', '--format', '{{.Name}}:{{.Tag}}'])
      assert.equal(bases.code, 0, bases.stderr)
      const runtimeBase = arch === 'amd64' ? 'gcr.io/distroless/nodejs22-debian12:nonroot-amd64' : 'gcr.io/distroless/nodejs22-debian12:nonroot-arm64'
      const buildBase = arch === 'amd64' ? 'docker.io/amd64/node:22-bookworm-slim' : 'docker.io/arm64v8/node:22-bookworm-slim'
      for (const base of [runtimeBase, buildBase]) {
        assert.ok(bases.stdout.split('\n').includes(base), `${base} is not in the storage: ${bases.stdout}`)
        const b = await buildah(['inspect', '--type', 'image', '--format', '{{.OCIv1.Architecture}} {{index .Docker.Config.Labels "lucid.stand-in"}}', base])
        assert.equal(b.stdout.trim(), `${arch} true`, `${base}: ${b.stderr}`)
      }
      assert.equal(elfMachine(join(rootfs, 'nodejs/bin/node')), ARCHES[arch].elfMachine, `/nodejs/bin/node is not a ${arch} binary`)
      // what the kernel runs for it: the binary itself, or (emulated) qemu's interpreter through binfmt_misc
      const r = await inImage(['/nodejs/bin/node', '-p', 'process.arch'])
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout.trim(), ARCHES[arch].node)
    })

    it('is distroless-shaped: user 65532, the sidecar as ENTRYPOINT, data volume, API port, HEALTHCHECK; one small layer on the base', () => {
      assert.equal(config.User, `${NONROOT}:${NONROOT}`)
      assert.deepEqual(entrypoint, ['/nodejs/bin/node', BUNDLE])
      assert.deepEqual(config.Cmd, ['start'])
      assert.deepEqual(Object.keys(config.Volumes ?? {}), ['/var/lib/lucid-payout'])
      assert.deepEqual(Object.keys(config.ExposedPorts ?? {}), ['8787/tcp'])
      assert.deepEqual(config.Healthcheck?.Test, ['CMD', '/nodejs/bin/node', '/opt/lucid/payment-sidecar/healthcheck.mjs'])
      assert.ok((config.Env as string[]).includes('LUCID_PAYOUT_CONFIG=/etc/lucid-payout/config.json'))
      // the base's single layer, then the sidecar's
      const [base, ...ours] = manifestLayers
      const oursBytes = ours.reduce((a, b) => a + b, 0)
      console.log(`      ${arch} image ${(manifestLayers.reduce((a, b) => a + b, 0) / 1e6).toFixed(1)} MB: base ${(base / 1e6).toFixed(1)} MB + sidecar ${(oursBytes / 1e6).toFixed(2)} MB (uncompressed layers)`)
      assert.ok(oursBytes < 8e6, `the sidecar's layers are ${oursBytes} bytes (a bundle and three ABIs should stay under 8 MB)`)
      const data = statSync(join(rootfs, 'var/lib/lucid-payout'))
      assert.equal(data.uid, NONROOT)
      assert.equal(data.mode & 0o777, 0o700)
      assert.equal(statSync(join(rootfs, 'var/lib')).uid, 0, '/var/lib stays root-owned')
    })

    it('runs lucid-payout --help as user 65532', async () => {
      const r = await inImage([...entrypoint, '--help'])
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, /^usage: lucid-payout <command>/)
      assert.match(r.stdout, /keys init/)
      const bad = await inImage([...entrypoint, 'frobnicate'])
      assert.equal(bad.code, 2)
      assert.match(bad.stderr, /^lucid-payout: unknown command 'frobnicate'/m)
    })

    it('has no shell and no package manager, and runs as 65532 without being told', async () => {
      for (const p of ['bin/sh', 'usr/bin/sh', 'bin/bash', 'usr/bin/bash', 'bin/busybox', 'usr/bin/apt', 'usr/bin/apt-get', 'usr/bin/dpkg', 'usr/local/bin/npm']) {
        assert.equal(existsSync(join(rootfs, p)), false, `/${p} is in the image`)
      }
      const sh = await inImage(['/bin/sh', '-c', 'true'])
      assert.notEqual(sh.code, 0)
      assert.match(sh.stderr, /\/bin\/sh: no such file or directory/)
      const who = await inImage(['/nodejs/bin/node', '-e', 'console.log(JSON.stringify([process.getuid(), process.getgid(), require("node:os").userInfo().username, process.version, process.arch]))'], { user: null })
      assert.equal(who.code, 0, who.stderr)
      const [uid, gid, name, nodeVersion, nodeArch] = JSON.parse(who.stdout)
      assert.deepEqual([uid, gid, name], [NONROOT, NONROOT, 'nonroot'])
      assert.match(nodeVersion, /^v22\./)
      assert.equal(nodeArch, ARCHES[arch].node)
    })

    it('holds the sidecar alone: one bundle from payment-sidecar/, protocols/ and its dependencies, nothing of node/', () => {
      const files = walk(join(rootfs, 'opt/lucid')).filter((p) => lstatSync(join(rootfs, 'opt/lucid', p)).isFile()).sort()
      assert.deepEqual(files, [
        'contracts/build/ParamRegistry.json', 'contracts/build/PayoutRouterKYC.json', 'contracts/build/PayoutRouterV0.json',
        'payment-sidecar/dist/lucid-payout.mjs', 'payment-sidecar/dist/lucid-payout.mjs.LEGAL.txt', 'payment-sidecar/healthcheck.mjs'
      ])
      for (const name of ['ParamRegistry', 'PayoutRouterKYC', 'PayoutRouterV0']) {
        assert.equal(readFileSync(join(rootfs, CONTRACTS, `${name}.json`), 'utf8'), readFileSync(join(REPO, 'contracts/build', `${name}.json`), 'utf8'), `${name}.json differs from the committed artifact`)
      }
      // no node_modules and no TypeScript anywhere in the image
      const everything = walk(rootfs).filter((p) => !/^(proc|sys|dev)(\/|$)/.test(p))
      assert.deepEqual(everything.filter((p) => p.split('/').includes('node_modules') || p.endsWith('.ts')), [])
      // esbuild marks where each bundled module starts with its path: which sources went in
      const modules = new Set([...readFileSync(join(rootfs, BUNDLE.slice(1)), 'utf8').matchAll(/^\/\/ ((?:[\w@.-]+\/)+[\w@.-]+\.(?:[cm]?[jt]s|json))$/gm)].map((m) => m[1]))
      const ours = [...modules].filter((m) => !m.startsWith('node_modules/'))
      assert.ok(ours.includes('payment-sidecar/src/cli/main.ts') && ours.includes('protocols/session/xchacha20poly1305.ts'), `bundled: ${ours.join(', ')}`)
      assert.deepEqual(ours.filter((m) => !/^(payment-sidecar\/src|protocols)\//.test(m)), [], 'only the sidecar and protocols/ are bundled')
      for (const m of ours) assert.ok(existsSync(join(REPO, m)), `${m} is not a file of the repository`)
      const packages = new Set([...modules].filter((m) => m.startsWith('node_modules/')).map((m) => m.split('/').slice(1, m.startsWith('node_modules/@') ? 3 : 2).join('/')))
      for (const p of ['tronweb', 'ethers', '@noble/ciphers', 'hash-wasm']) assert.ok(packages.has(p), `${p} is not in the bundle (bundled packages: ${[...packages].join(', ')})`)
      assert.equal(packages.has('@lucid/node') || [...packages].some((p) => /^(libp2p|helia|@libp2p|@helia|yjs)/.test(p)), false, 'a node-workspace dependency is in the bundle')
    })

    it('creates its encrypted keystore in a mounted data directory (keys init / keys list)', async () => {
      const data = join(tmp, 'keys-data')
      const etc = join(tmp, 'keys-etc')
      mkdirSync(data, { mode: 0o700 }); chownSync(data, NONROOT, NONROOT)
      mkdirSync(etc)
      const config = {
        mode: 'dry-run', dataDir: '/var/lib/lucid-payout', contractsDir: CONTRACTS,
        chain: { rpcUrl: 'http://127.0.0.1:9', batchContract: '0xc8b893d8bc6190908df335416c973f10cce894d2', registry: '0xc8b893d8bc6190908df335416c973f10cce894d2' },
        tron: { fullNode: 'http://127.0.0.1:9', v0Router: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', kycRouter: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', token: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', feePayer: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t' }
      }
      writeFileSync(join(etc, 'config.json'), JSON.stringify(config))
      const passphrase = 'container keystore passphrase'
      const opts = { volumes: [`${data}:/var/lib/lucid-payout`, `${etc}:/etc/lucid-payout:ro`], env: [`LUCID_PAYOUT_PASSPHRASE=${passphrase}`] }
      const init = await inImage([...entrypoint, 'keys', 'init', '--count', '3'], opts)
      assert.equal(init.code, 0, init.stderr)
      const { keystore, addresses } = JSON.parse(init.stdout) as { keystore: string, addresses: string[] }
      assert.equal(keystore, '/var/lib/lucid-payout/keystore.json')
      assert.equal(addresses.length, 3)
      // on the host: written by 65532, private, and it opens with the passphrase into the keys of those addresses
      const file = join(data, 'keystore.json')
      const st = statSync(file)
      assert.equal(st.uid, NONROOT)
      assert.equal(st.mode & 0o777, 0o600)
      const keys = openKeys(readKeystore(file), passphrase)
      assert.deepEqual(keys.map(privateKeyToTronAddress), addresses)
      assert.equal(readFileSync(file, 'utf8').includes(keys[0].slice(2)), false, 'a key is readable in the keystore file')
      const list = await inImage([...entrypoint, 'keys', 'list'], opts)
      assert.equal(list.code, 0, list.stderr)
      assert.deepEqual(JSON.parse(list.stdout).addresses, addresses)
      const again = await inImage([...entrypoint, 'keys', 'init'], opts)
      assert.equal(again.code, 2)
      assert.match(again.stderr, /a keystore already exists/)
    })

    describe('a real run: the containerized sidecar pays a committed batch on the TRON stand-in', () => {
      let w: World | undefined
      let sidecar: ChildProcess | undefined
      let sidecarLog = ''

      after(async () => {
        if (sidecar !== undefined && sidecar.exitCode === null) {
          // as in the test: SIGTERM to the sidecar inside, so that buildah run cleans up after itself; else SIGKILL
          const gone = new Promise((resolve) => sidecar!.once('close', resolve))
          for (const p of sidecarInside(sidecar.pid!)) process.kill(p, 'SIGTERM')
          if (await Promise.race([gone.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 10_000))]) === false) sidecar.kill('SIGKILL')
        }
        await w?.close()
      })

      it('serves /health, passes its HEALTHCHECK, pays every entry to the unit, and stops on SIGTERM', async function () {
        this.timeout(180_000)
        w = await openWorld()
        const batch = await makeBatch(w, { epoch: 11, holders: holders(8, 'container'), distributableUsd: 3_000n * USD })
        assert.ok(batch.entries.some((e) => e.route === 'kyc') && batch.entries.some((e) => e.route === 'v0'))
        await commitBatch(w, batch)

        const data = join(tmp, 'run-data')
        const etc = join(tmp, 'run-etc')
        const secrets = join(tmp, 'run-secrets')
        const import_ = join(tmp, 'run-import')
        mkdirSync(data, { mode: 0o700 }); chownSync(data, NONROOT, NONROOT)
        for (const d of [etc, secrets, import_]) mkdirSync(d)
        const port = await freePort()
        const json = {
          ...sidecarConfigJson(w, { dataDir: '/var/lib/lucid-payout', confirmations: 3, finality: 'finalized', api: { host: '127.0.0.1', port }, keystore: { passphraseFile: '/run/secrets/payout-passphrase' } }),
          contractsDir: CONTRACTS
        }
        writeFileSync(join(etc, 'config.json'), JSON.stringify(json, null, 2))
        writeFileSync(join(secrets, 'payout-passphrase'), 'payout passphrase in a secret file\n', { mode: 0o400 })
        chownSync(join(secrets, 'payout-passphrase'), NONROOT, NONROOT)
        // the fee payer's 2-of-3 active permission: the keystore holds two of its keys
        writeFileSync(join(import_, 'keys.txt'), `${w.payerKeys[1].privateKey}\n${w.payerKeys[2].privateKey}\n`, { mode: 0o400 })
        chownSync(join(import_, 'keys.txt'), NONROOT, NONROOT)
        const volumes = [`${data}:/var/lib/lucid-payout`, `${etc}:/etc/lucid-payout:ro`, `${secrets}:/run/secrets:ro`]

        const imported = await inImage([...entrypoint, 'keys', 'init', '--import', '/import/keys.txt'], { volumes: [...volumes, `${import_}:/import:ro`] })
        assert.equal(imported.code, 0, imported.stderr)
        assert.deepEqual(JSON.parse(imported.stdout).addresses, [w.payerKeys[1].privateKey, w.payerKeys[2].privateKey].map(privateKeyToTronAddress))
        rmSync(import_, { recursive: true })

        // `start` (the image's CMD), in the foreground of a buildah run
        sidecar = spawn('buildah', [...storage, 'run', '--isolation', 'chroot', '--user', `${NONROOT}:${NONROOT}`, ...volumes.flatMap((v) => ['-v', v]), ctr, '--', ...entrypoint, ...config.Cmd], { stdio: ['ignore', 'pipe', 'pipe'], env: env() })
        sidecar.stdout!.on('data', (d: Buffer) => { sidecarLog += d.toString() })
        sidecar.stderr!.on('data', (d: Buffer) => { sidecarLog += d.toString() })
        const exited = new Promise<number | null>((resolve) => sidecar!.on('close', (c) => resolve(c)))
        const tokenFile = join(data, 'api-token')
        const get = async (path: string): Promise<{ status: number, body: any }> => {
          const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${readFileSync(tokenFile, 'utf8').trim()}` } })
          return { status: res.status, body: await res.json() }
        }
        try {
          await waitFor('the sidecar in the container to answer /health', async () => existsSync(tokenFile) && (await get('/health')).status === 200, 60_000, 200)
          const health = (await get('/health')).body
          assert.equal(health.ok, true)
          assert.equal(health.mode, 'sandbox')
          assert.ok(health.tronHead.number > 0, `TRON head ${JSON.stringify(health.tronHead)}`)
          // the image's HEALTHCHECK command, inside the image, while the sidecar runs
          const check = await inImage(config.Healthcheck.Test.slice(1), { volumes })
          assert.equal(check.code, 0, check.stderr)
          assert.equal(JSON.parse(check.stdout).ok, true)

          await waitFor('the batch to be paid', async () => (await get(`/batches/${batch.root.slice(2)}`)).body.state === 'paid', 90_000, 250)
          for (const e of batch.entries) assert.equal(await w.tokenBalance(e.address), e.netUsd, `balance of ${e.address}`)
          const confirmed = (await get('/payouts?state=confirmed')).body.payouts
          assert.equal(confirmed.length, batch.entries.length)
        } catch (e) {
          throw new Error(`${(e as Error).message}\n--- sidecar log ---\n${sidecarLog.slice(-4000)}`)
        }

        // `docker stop` sends SIGTERM to the container's first process, node. (buildah run itself, when signalled,
        // SIGKILLs what it runs, so the signal goes to the process inside, found among buildah's descendants.) The
        // sidecar stops cleanly, buildah run passes on its exit status, and the ledger stays on the volume.
        const inside = sidecarInside(sidecar.pid!)
        assert.equal(inside.length, 1, `the sidecar's process among buildah's descendants: ${inside.join(', ')}`)
        process.kill(inside[0], 'SIGTERM')
        const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), 20_000))])
        assert.equal(code, 0, `buildah run exit ${String(code)}; log:\n${sidecarLog.slice(-2000)}`)
        const ledger = readFileSync(join(data, 'ledger.jsonl'), 'utf8')
        assert.ok(ledger.split('\n').length > batch.entries.length)
        assert.equal(statSync(join(data, 'ledger.jsonl')).uid, NONROOT)
        const status = await inImage([...entrypoint, 'status'], { volumes })
        assert.equal(status.code, 0, status.stderr)
        const s = JSON.parse(status.stdout)
        assert.deepEqual(s.batches.map((b: { state: string }) => b.state), ['paid'])
        assert.equal(s.payouts.confirmed, batch.entries.length)
        // and with the sidecar gone, the HEALTHCHECK fails
        const down = await inImage(config.Healthcheck.Test.slice(1), { volumes })
        assert.equal(down.code, 1)
        assert.match(down.stderr, /^healthcheck: \/health on 127\.0\.0\.1:\d+: ECONNREFUSED/)
      })
    })
  })
}
