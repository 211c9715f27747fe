/**
 * The real-OVN judge: OVN 25.03 / OVS 3.5 daemons run inside a Debian trixie chroot
 * (test/oracle/provision.sh), one fresh sandbox directory per OvnSandbox.
 *
 * Every command runs as `chroot ROOT <tool> ...` with OVS_RUNDIR & co. pointing into the sandbox
 * directory, so nothing touches the host's /run/openvswitch or another sandbox. Needs root.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, writeFileSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';

export const DEFAULT_OVN_ROOT = '/opt/ovn-trixie';
/** Prefix of every real-OVN suite title; .ci/run uses it to prove none was skipped. */
export const REAL_OVN_PREFIX = '[real-ovn]';

export function ovnRoot(): string {
  return process.env.UDNC_OVN_ROOT || DEFAULT_OVN_ROOT;
}

export interface OvnVersions {
  northd: string;
  controller: string;
  vswitchd: string;
}

export interface OvnAvailability {
  ok: boolean;
  why?: string;
  root: string;
  versions?: OvnVersions;
}

const availabilityCache = new Map<string, OvnAvailability>();

/** Whether real OVN 25.03 can run here (root + a provisioned chroot), and why not. */
export function ovnAvailable(root: string = ovnRoot()): OvnAvailability {
  const cached = availabilityCache.get(root);
  if (cached) return cached;
  const result = checkAvailability(root);
  availabilityCache.set(root, result);
  return result;
}

function checkAvailability(root: string): OvnAvailability {
  if (process.platform !== 'linux') return { ok: false, root, why: `platform ${process.platform} is not linux` };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return { ok: false, root, why: 'not running as root (chroot needs it)' };
  }
  if (!existsSync(join(root, 'usr/bin/ovn-northd'))) {
    return { ok: false, root, why: `no OVN chroot at ${root} (run: sudo test/oracle/provision.sh ${root})` };
  }
  try {
    const versions = {
      northd: firstLine(chrootSync(root, 'ovn-northd', ['--version'])),
      controller: firstLine(chrootSync(root, 'ovn-controller', ['--version'])),
      vswitchd: firstLine(chrootSync(root, 'ovs-vswitchd', ['--version'])),
    };
    if (!/^ovn-northd 25\.03\./.test(versions.northd)) {
      return { ok: false, root, versions, why: `expected OVN 25.03.x in ${root}, found "${versions.northd}"` };
    }
    return { ok: true, root, versions };
  } catch (e) {
    return { ok: false, root, why: `cannot run OVN binaries in ${root}: ${(e as Error).message}` };
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

function chrootSync(root: string, cmd: string, args: string[]): string {
  return execFileSync('chroot', [root, cmd, ...args], {
    encoding: 'utf8', env: { PATH: CHROOT_PATH }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000,
  });
}

const CHROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export type DaemonName = 'ovs-db' | 'nb-db' | 'sb-db' | 'vswitchd' | 'northd' | 'controller';
/** Stop order: consumers before the databases they talk to. */
const STOP_ORDER: DaemonName[] = ['controller', 'northd', 'vswitchd', 'sb-db', 'nb-db', 'ovs-db'];

export interface StartOvnOptions {
  /** Chroot directory; default $UDNC_OVN_ROOT or /opt/ovn-trixie. */
  root?: string;
  /** Open_vSwitch external-ids:system-id (= Chassis name). Default "hv1". */
  systemId?: string;
  /** Start ovn-northd (default true). Without it, write SB directly and use sync(). */
  northd?: boolean;
  /** Start ovn-controller (default true). */
  controller?: boolean;
  /** Second bridge for foreign flows (datapath_type=dummy, fail-mode=secure); false for none. Default "br-test". */
  testBridge?: string | false;
  /**
   * NB_Global options set before anything else. Default pins the values OVN otherwise draws at
   * random (svc_monitor_mac, mac_prefix), the same ones the ground-truth captures used.
   */
  nbGlobalOptions?: Record<string, string>;
  /** Per-command timeout in ms (default 60 s). */
  timeoutMs?: number;
  /**
   * Open_vSwitch settings ovnkube-node writes before ovn-controller starts
   * (OVN_KUBERNETES_NODE_SETTINGS, default); false leaves OVS/OVN defaults.
   */
  ovnKubernetesNodeSettings?: boolean;
  /**
   * true (default): ovn-controller reaches br-int through its management socket (br-int.mgmt),
   * which ovs-vswitchd probes every 60 s (fixed in bridge.c): a controller main-loop iteration
   * longer than 2 × 60 s wall loses the connection, clears all flows and recomputes, forever.
   * false: through a Controller row with inactivity_probe=0 (external-ids:ovn-bridge-remote), for
   * runs whose single recompute exceeds that on a shared, loaded machine (see bench/README.md, issue 5).
   */
  openflowMgmtProbe?: boolean;
}

/**
 * What ovnkube-node sets in Open_vSwitch on every node before ovn-controller runs
 * (ovn-org/ovn-kubernetes go-controller/pkg/node/default_node_network_controller.go, setupOVNNode;
 * defaults from go-controller/pkg/config/config.go: InactivityProbe 100,000 ms, OpenFlowProbe 180 s,
 * MonitorAll true, OfctrlWaitBeforeClear 0, LFlowCacheEnable true). Only settings that shape the
 * control plane are kept (encap and hostname are set by startOvn). Its
 * `external_ids:ovn-openflow-probe-interval=180` is left out: OVN 25.03 no longer reads it (it reads
 * ovn-bridge-remote-probe-interval, default 0 = no probe from the controller's side).
 */
export const OVN_KUBERNETES_NODE_SETTINGS: Readonly<Record<string, string>> = {
  // OVS's default is 10 s: a bundle that gets no message for that long is dropped (OFPBFC_TIMEOUT),
  // and ovn-controller sends all its flow changes as one bundle. ovn-k sets it to OpenFlowProbe
  // "to allow ovn-controller to finish computation".
  'other_config:bundle-idle-timeout': '180',
  'external-ids:ovn-remote-probe-interval': '100000',
  'external-ids:ovn-monitor-all': 'true',
  'external-ids:ovn-ofctrl-wait-before-clear': '0',
  'external-ids:ovn-enable-lflow-cache': 'true',
};

export const DEFAULT_NB_GLOBAL_OPTIONS: Readonly<Record<string, string>> = {
  svc_monitor_mac: '0a:00:00:00:00:fe',
  mac_prefix: '0a:00:00',
};

export class OvnCommandError extends Error {
  constructor(
    readonly command: string[],
    readonly stdout: string,
    readonly stderr: string,
    readonly code: number | string | null,
  ) {
    super(`${command.join(' ')} failed (${code}): ${stderr.trim() || stdout.trim()}`);
    this.name = 'OvnCommandError';
  }
}

interface ExecOptions {
  input?: string;
  timeoutMs?: number;
}

/** One running set of OVN/OVS daemons in its own directory inside the chroot. */
export class OvnSandbox {
  /** Path of the sandbox directory as seen inside the chroot, e.g. /run/udnc-3f2a9c. */
  readonly dir: string;
  /** The same directory as seen from the host. */
  readonly hostDir: string;
  readonly systemId: string;
  readonly versions: OvnVersions;
  private readonly timeoutMs: number;
  private readonly started = new Set<DaemonName>();
  private northdPaused = false;
  private fileSeq = 0;
  private stopped = false;
  private readonly exitHook = (): void => this.killAllSync();

  /** @internal use startOvn() */
  constructor(readonly root: string, name: string, systemId: string, versions: OvnVersions, timeoutMs: number) {
    this.dir = `/run/${name}`;
    this.hostDir = join(root, 'run', name);
    this.systemId = systemId;
    this.versions = versions;
    this.timeoutMs = timeoutMs;
  }

  // ---- low-level -------------------------------------------------------------------------------

  /** Runs `cmd args` inside the chroot with the sandbox's OVS/OVN directories; resolves to stdout. */
  exec(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<string> {
    const env: Record<string, string> = { PATH: CHROOT_PATH, LC_ALL: 'C' };
    for (const v of ['OVS_RUNDIR', 'OVS_LOGDIR', 'OVS_DBDIR', 'OVS_SYSCONFDIR', 'OVN_RUNDIR', 'OVN_LOGDIR', 'OVN_DBDIR', 'OVN_SYSCONFDIR']) {
      env[v] = this.dir;
    }
    const argv = [this.root, cmd, ...args];
    return new Promise((resolve, reject) => {
      const child = execFile('chroot', argv, {
        env, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: opts.timeoutMs ?? this.timeoutMs,
      }, (err, stdout, stderr) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException & { code?: number | string }).code ?? null;
          reject(new OvnCommandError([cmd, ...args], stdout, stderr, code));
        } else {
          resolve(stdout);
        }
      });
      if (opts.input !== undefined) child.stdin?.end(opts.input);
      else child.stdin?.end();
    });
  }

  private sock(db: 'ovs' | 'nb' | 'sb'): string {
    return `unix:${this.dir}/${db}.sock`;
  }

  ctlPath(daemon: DaemonName): string {
    return `${this.dir}/${daemon}.ctl`;
  }

  pidPath(daemon: DaemonName): string {
    return `${this.dir}/${daemon}.pid`;
  }

  logPath(daemon: DaemonName): string {
    return `${this.dir}/${daemon}.log`;
  }

  /** Host path of a daemon's log file (for reading it directly). */
  hostLogPath(daemon: DaemonName): string {
    return join(this.hostDir, `${daemon}.log`);
  }

  /** Writes a file into the sandbox directory; returns its path inside the chroot. */
  writeFile(basename: string, text: string): string {
    const name = `${++this.fileSeq}-${basename}`;
    writeFileSync(join(this.hostDir, name), text);
    return `${this.dir}/${name}`;
  }

  // ---- tools -----------------------------------------------------------------------------------

  nbctl(...args: string[]): Promise<string> {
    return this.exec('ovn-nbctl', [`--db=${this.sock('nb')}`, ...args]);
  }

  sbctl(...args: string[]): Promise<string> {
    return this.exec('ovn-sbctl', [`--db=${this.sock('sb')}`, ...args]);
  }

  vsctl(...args: string[]): Promise<string> {
    return this.exec('ovs-vsctl', [`--db=${this.sock('ovs')}`, ...args]);
  }

  /** ovs-ofctl; bridges are reached through their mgmt sockets in the sandbox directory. */
  ofctl(...args: string[]): Promise<string> {
    return this.exec('ovs-ofctl', args);
  }

  appctl(target: DaemonName, ...args: string[]): Promise<string> {
    return this.exec('ovs-appctl', ['-t', this.ctlPath(target), ...args]);
  }

  // ---- high-level ------------------------------------------------------------------------------

  /**
   * Waits until ovn-controller has installed everything the NB (or, with northd paused or absent,
   * the SB) currently says.
   */
  async sync(): Promise<void> {
    if (this.started.has('northd') && !this.northdPaused) {
      await this.nbctl(`--timeout=${Math.ceil(this.timeoutMs / 1000)}`, '--wait=hv', 'sync');
      return;
    }
    await this.sbSync();
  }

  /**
   * Sync without northd: bump SB_Global.nb_cfg and wait until this chassis reports it, which
   * ovn-controller does only after OVS confirmed the resulting flows (the same handshake
   * `ovn-nbctl --wait=hv` relies on).
   */
  async sbSync(): Promise<void> {
    if (!this.started.has('controller')) return;
    const [, sel] = await this.sbTransact([
      { op: 'mutate', table: 'SB_Global', where: [], mutations: [['nb_cfg', '+=', 1]] },
      { op: 'select', table: 'SB_Global', where: [], columns: ['nb_cfg'] },
    ]) as [unknown, { rows: Array<{ nb_cfg: number }> }];
    const want = sel.rows[0]!.nb_cfg;
    const deadline = Date.now() + this.timeoutMs;
    // Polled over the socket: cheaper than an ovn-sbctl wait-until process per sync.
    for (;;) {
      const [res] = await this.sbTransact([
        { op: 'select', table: 'Chassis_Private', where: [['name', '==', this.systemId]], columns: ['nb_cfg'] },
      ]) as [{ rows: Array<{ nb_cfg: number }> }];
      if ((res.rows[0]?.nb_cfg ?? -1) >= want) return;
      if (Date.now() > deadline) throw new Error(`ovn-controller did not reach SB nb_cfg ${want} within ${this.timeoutMs} ms`);
      await sleep(10);
    }
  }

  /** Stops ovn-northd from processing (it keeps its SB lock), so SB rows can be written by hand. */
  async pauseNorthd(): Promise<void> {
    if (!this.started.has('northd') || this.northdPaused) return;
    await this.appctl('northd', 'pause');
    this.northdPaused = true;
  }

  async resumeNorthd(): Promise<void> {
    if (!this.northdPaused) return;
    await this.appctl('northd', 'resume');
    this.northdPaused = false;
  }

  get isNorthdPaused(): boolean {
    return this.northdPaused;
  }

  /** Adds a bridge with the dummy datapath and fail-mode=secure (no NORMAL flow). */
  async addBridge(name: string): Promise<void> {
    await this.vsctl('--may-exist', 'add-br', name, '--', 'set', 'bridge', name,
      'datapath_type=dummy', 'fail-mode=secure', 'protocols=OpenFlow10,OpenFlow13,OpenFlow15');
  }

  /** Adds a dummy VIF on br-int bound to logical port ifaceId; resolves to its OpenFlow port. */
  async addVif(name: string, ifaceId: string, opts: { ofport?: number; bridge?: string } = {}): Promise<number> {
    const bridge = opts.bridge ?? 'br-int';
    const extra = opts.ofport === undefined ? [] : [`ofport_request=${opts.ofport}`];
    await this.vsctl('add-port', bridge, name, '--', 'set', 'interface', name, 'type=dummy',
      `external-ids:iface-id=${ifaceId}`, ...extra);
    const ofport = Number((await this.vsctl('get', 'interface', name, 'ofport')).trim());
    if (!Number.isInteger(ofport) || ofport <= 0) throw new Error(`VIF ${name} got no ofport (${ofport})`);
    return ofport;
  }

  lflowList(...args: string[]): Promise<string> {
    return this.sbctl('lflow-list', ...args);
  }

  /** `ovs-ofctl -O OpenFlow15 --no-stats dump-flows`, one flow per element, header lines dropped. */
  async dumpFlows(bridge = 'br-int', ...filter: string[]): Promise<string[]> {
    const out = await this.ofctl('-O', 'OpenFlow15', '--no-stats', 'dump-flows', bridge, ...filter);
    return flowLines(out);
  }

  async dumpGroups(bridge = 'br-int'): Promise<string[]> {
    const out = await this.ofctl('-O', 'OpenFlow15', 'dump-groups', bridge);
    return flowLines(out);
  }

  /**
   * Runs one `ovsdb-client transact` against a database. `ops` is either the full
   * ["OVN_Northbound", op...] array or only the operations. Throws if any operation failed.
   */
  async transact(db: 'nb' | 'sb' | 'ovs', ops: unknown): Promise<unknown[]> {
    const name = db === 'nb' ? 'OVN_Northbound' : db === 'sb' ? 'OVN_Southbound' : 'Open_vSwitch';
    const arr = Array.isArray(ops) && ops[0] === name ? ops : [name, ...(Array.isArray(ops) ? ops : [ops])];
    const hostSock = join(this.hostDir, `${db}.sock`);
    let result: unknown[];
    if (hostSock.length < 100) {
      // Straight to the socket: `ovsdb-client transact` takes the transaction as one argument,
      // which the kernel caps at 128 KiB.
      result = await ovsdbTransact(hostSock, arr, this.timeoutMs);
    } else {
      result = JSON.parse(await this.exec('ovsdb-client', ['transact', this.sock(db), JSON.stringify(arr)])) as unknown[];
    }
    const failed = result.find((r) => r !== null && typeof r === 'object' && 'error' in (r as object));
    if (failed) throw new Error(`${db} transaction failed: ${JSON.stringify(failed)}`);
    return result;
  }

  /** Loads an `ovsdb-client transact` JSON into NB in one transaction. */
  nbTransact(ops: unknown): Promise<unknown[]> {
    return this.transact('nb', ops);
  }

  sbTransact(ops: unknown): Promise<unknown[]> {
    return this.transact('sb', ops);
  }

  /** `ofproto/trace BRIDGE FLOW [extra...]` in ovs-vswitchd; resolves to its text output. */
  ofprotoTrace(bridge: string, flow: string, ...extra: string[]): Promise<string> {
    return this.appctl('vswitchd', 'ofproto/trace', bridge, flow, ...extra);
  }

  /** Loads flows in `ovs-ofctl add-flows` text (OpenFlow 1.5) into a bridge. */
  async addFlows(bridge: string, text: string): Promise<void> {
    const file = this.writeFile(`${bridge}.flows`, text.endsWith('\n') ? text : `${text}\n`);
    await this.ofctl('-O', 'OpenFlow15', 'add-flows', bridge, file);
  }

  /** Loads groups in `ovs-ofctl add-groups` text into a bridge. */
  async addGroups(bridge: string, text: string): Promise<void> {
    const file = this.writeFile(`${bridge}.groups`, text.endsWith('\n') ? text : `${text}\n`);
    await this.ofctl('-O', 'OpenFlow15', 'add-groups', bridge, file);
  }

  /** Replaces all flows and groups of a (test) bridge. */
  async replaceFlows(bridge: string, flows: string, groups = ''): Promise<void> {
    await this.ofctl('-O', 'OpenFlow15', 'del-flows', bridge);
    await this.ofctl('-O', 'OpenFlow15', 'del-groups', bridge);
    if (groups.trim()) await this.addGroups(bridge, groups);
    if (flows.trim()) await this.addFlows(bridge, flows);
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  /** @internal */
  async startDaemon(name: DaemonName, cmd: string, args: string[]): Promise<void> {
    await this.exec(cmd, [
      '--detach', '--no-chdir', `--pidfile=${this.pidPath(name)}`, `--unixctl=${this.ctlPath(name)}`,
      `--log-file=${this.logPath(name)}`, '-vconsole:off', ...args,
    ]);
    this.started.add(name);
  }

  /** @internal */
  registerExitHook(): void {
    process.once('exit', this.exitHook);
  }

  /** Pids of the daemons started so far (read from their pidfiles). */
  pids(): Partial<Record<DaemonName, number>> {
    const out: Partial<Record<DaemonName, number>> = {};
    for (const d of STOP_ORDER) {
      const pid = readPid(join(this.hostDir, `${d}.pid`));
      if (pid !== undefined) out[d] = pid;
    }
    return out;
  }

  /** Stops every daemon by its pid (TERM, then KILL after a grace period) and removes the directory. */
  async stop(opts: { keep?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    process.removeListener('exit', this.exitHook);
    for (const d of STOP_ORDER) {
      const pid = readPid(join(this.hostDir, `${d}.pid`));
      if (pid !== undefined && isOurDaemon(pid, this.root, this.dir)) await terminate(pid);
    }
    const keep = opts.keep ?? process.env.UDNC_OVN_KEEP === '1';
    if (!keep) rmSync(this.hostDir, { recursive: true, force: true });
  }

  private killAllSync(): void {
    for (const d of STOP_ORDER) {
      const pid = readPid(join(this.hostDir, `${d}.pid`));
      if (pid !== undefined && isOurDaemon(pid, this.root, this.dir)) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    }
    try { rmSync(this.hostDir, { recursive: true, force: true }); } catch { /* best effort */ }
  }
}

/** One OVSDB JSON-RPC "transact" over a unix socket (RFC 7047); answers echo requests. */
export function ovsdbTransact(socketPath: string, params: unknown[], timeoutMs = 60_000): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socketPath);
    let buf = '';
    const timer = setTimeout(() => { conn.destroy(); reject(new Error(`ovsdb transact on ${socketPath} timed out`)); }, timeoutMs);
    const finish = (err: Error | null, value?: unknown[]): void => {
      clearTimeout(timer);
      conn.end();
      if (err) reject(err); else resolve(value!);
    };
    conn.on('connect', () => conn.write(JSON.stringify({ method: 'transact', params, id: 'udnc' })));
    conn.on('error', (e) => finish(e));
    conn.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      for (;;) {
        const end = jsonObjectEnd(buf);
        if (end < 0) return;
        const msg = JSON.parse(buf.slice(0, end)) as { id?: unknown; method?: string; result?: unknown; error?: unknown };
        buf = buf.slice(end).trimStart();
        if (msg.method === 'echo') {
          conn.write(JSON.stringify({ result: (msg as { params?: unknown }).params ?? [], error: null, id: msg.id }));
        } else if (msg.id === 'udnc') {
          if (msg.error) finish(new Error(`ovsdb error: ${JSON.stringify(msg.error)}`));
          else finish(null, msg.result as unknown[]);
          return;
        }
      }
    });
  });
}

/** End offset of the first complete JSON object in s, or -1 (string-aware brace matching). */
function jsonObjectEnd(s: string): number {
  let depth = 0;
  let inStr = false;
  let started = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') {
      inStr = true;
    } else if (c === '{' || c === '[') {
      depth++;
      started = true;
    } else if (c === '}' || c === ']') {
      depth--;
      if (started && depth === 0) return i + 1;
    }
  }
  return -1;
}

function flowLines(out: string): string[] {
  return out.split('\n')
    .map((l) => l.trim())
    // Drop reply headers such as "OFPST_GROUP_DESC reply (OF1.5) (xid=0x2):".
    .filter((l) => l !== '' && !/^(NXST|OFPST)_\w+ reply\b/.test(l));
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** A zombie counts as dead: detached daemons are reaped by whatever init the host has, maybe late. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/**
 * True only if pid is a process chrooted into root whose command line names the sandbox
 * directory: a recycled pid must never be killed.
 */
function isOurDaemon(pid: number, root: string, dir: string): boolean {
  try {
    const procRoot = readlinkSync(`/proc/${pid}/root`);
    if (procRoot.replace(/\/+$/, '') !== root.replace(/\/+$/, '')) return false;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(`${dir}/`);
  } catch {
    return false;
  }
}

async function terminate(pid: number): Promise<void> {
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  for (let i = 0; i < 100; i++) {
    if (!alive(pid)) return;
    await sleep(50);
  }
  try { process.kill(pid, 'SIGKILL'); } catch { return; }
  for (let i = 0; i < 40 && alive(pid); i++) await sleep(50);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Removes sandboxes left by crashed runs: a directory /run/udnc-* whose owner process is gone.
 * Daemons are killed by the pids in their pidfiles, after checking they belong to that sandbox.
 */
export async function cleanupStaleSandboxes(root: string = ovnRoot()): Promise<string[]> {
  const runDir = join(root, 'run');
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(runDir);
  } catch {
    return removed;
  }
  for (const name of entries) {
    if (!name.startsWith('udnc-')) continue;
    const hostDir = join(runDir, name);
    const owner = readPid(join(hostDir, 'owner.pid'));
    if (owner !== undefined && owner !== process.pid && alive(owner)) continue;
    if (owner === process.pid) continue;
    for (const d of STOP_ORDER) {
      const pid = readPid(join(hostDir, `${d}.pid`));
      if (pid !== undefined && isOurDaemon(pid, root, `/run/${name}`)) await terminate(pid);
    }
    rmSync(hostDir, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Starts ovsdb-server for OVS, NB and SB, ovs-vswitchd (dummy datapath) with br-int, ovn-northd
 * and ovn-controller in a fresh sandbox directory inside the chroot, and waits until the chassis
 * is registered and in sync.
 */
export async function startOvn(opts: StartOvnOptions = {}): Promise<OvnSandbox> {
  const root = opts.root ?? ovnRoot();
  const avail = ovnAvailable(root);
  if (!avail.ok || !avail.versions) throw new Error(`real OVN unavailable: ${avail.why}`);
  await cleanupStaleSandboxes(root);

  const name = `udnc-${randomBytes(4).toString('hex')}`;
  const systemId = opts.systemId ?? 'hv1';
  const sb = new OvnSandbox(root, name, systemId, avail.versions, opts.timeoutMs ?? 60_000);
  // Appear under the udnc-* name only with owner.pid inside (atomic rename): a concurrent
  // cleanupStaleSandboxes() must never take a half-made sandbox for a stale one.
  const tmp = join(root, 'run', `.${name}.tmp`);
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'owner.pid'), `${process.pid}\n`);
  renameSync(tmp, sb.hostDir);
  sb.registerExitHook();
  try {
    const d = sb.dir;
    const dbs: Array<['ovs' | 'nb' | 'sb', string]> = [
      ['ovs', '/usr/share/openvswitch/vswitch.ovsschema'],
      ['nb', '/usr/share/ovn/ovn-nb.ovsschema'],
      ['sb', '/usr/share/ovn/ovn-sb.ovsschema'],
    ];
    for (const [db, schema] of dbs) {
      await sb.exec('ovsdb-tool', ['create', `${d}/${db}.db`, schema]);
      await sb.startDaemon(`${db}-db`, 'ovsdb-server', [`--remote=punix:${d}/${db}.sock`, `${d}/${db}.db`]);
    }
    await sb.vsctl('--no-wait', 'init');
    await sb.nbctl('--no-wait', 'init');
    const nbOpts = { ...DEFAULT_NB_GLOBAL_OPTIONS, ...(opts.nbGlobalOptions ?? {}) };
    const optArgs = Object.entries(nbOpts).map(([k, v]) => `options:${k}="${v}"`);
    if (optArgs.length) await sb.nbctl('--no-wait', 'set', 'NB_Global', '.', ...optArgs);

    await sb.startDaemon('vswitchd', 'ovs-vswitchd', ['--enable-dummy', '--disable-system', `unix:${d}/ovs.sock`]);
    await sb.addBridge('br-int');
    const testBridge = opts.testBridge ?? 'br-test';
    if (testBridge) await sb.addBridge(testBridge);

    if (opts.northd ?? true) {
      await sb.startDaemon('northd', 'ovn-northd', [`--ovnnb-db=unix:${d}/nb.sock`, `--ovnsb-db=unix:${d}/sb.sock`]);
    }
    if (opts.controller ?? true) {
      const nodeSettings = (opts.ovnKubernetesNodeSettings ?? true)
        ? Object.entries(OVN_KUBERNETES_NODE_SETTINGS).map(([k, v]) => `${k}=${v}`) : [];
      if (opts.openflowMgmtProbe === false) {
        // A passive Controller row is a service connection like br-int.mgmt, but its
        // inactivity_probe is configurable; 0 disables vswitchd's probe.
        await sb.vsctl('--', '--id=@c', 'create', 'Controller', `target="punix:${d}/br-int.ovn"`, 'inactivity_probe=0',
          '--', 'set', 'Bridge', 'br-int', 'controller=@c');
        nodeSettings.push(`external-ids:ovn-bridge-remote="unix:${d}/br-int.ovn"`);
      }
      await sb.vsctl('set', 'Open_vSwitch', '.',
        `external-ids:system-id=${systemId}`,
        `external-ids:ovn-remote=unix:${d}/sb.sock`,
        'external-ids:ovn-encap-type=geneve',
        'external-ids:ovn-encap-ip=127.0.0.1',
        'external-ids:ovn-bridge-datapath-type=dummy',
        ...nodeSettings);
      await sb.startDaemon('controller', 'ovn-controller', [`unix:${d}/ovs.sock`]);
      // --wait=hv counts only registered chassis: wait for ours first.
      await sb.sbctl('--timeout=30', 'wait-until', 'Chassis_Private', systemId);
    }
    if (opts.northd ?? true) await sb.sync();
    return sb;
  } catch (e) {
    await sb.stop({ keep: process.env.UDNC_OVN_KEEP === '1' });
    throw e;
  }
}
