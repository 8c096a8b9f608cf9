/**
 * `docker run` arguments as an Engine API container (create body), for the run_command shapes
 * Packer users write (its default `-d -i -t --entrypoint=/bin/sh -- IMAGE` and the flags the
 * builder adds: -v, --device, --cap-add, --cap-drop, --privileged, --tmpfs; plus --network,
 * --pull=never, -u). Anything else, or no -d, is left to the `docker` command (undefined).
 */
export interface CreateRequest {
  /** Body of POST /containers/create. */
  body: Record<string, unknown>;
  /** `--pull=never` given: a missing image is an error, not a pull. */
  pullNever: boolean;
}

export function containerCreateRequest(args: string[]): CreateRequest | undefined {
  if (args[0] !== 'run') return undefined;
  let detach = false, interactive = false, tty = false, privileged = false, pullNever = false;
  let entrypoint: string | undefined, user: string | undefined, network: string | undefined;
  const binds: string[] = [], capAdd: string[] = [], capDrop: string[] = [];
  const tmpfs: Record<string, string> = {};
  const devices: { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }[] = [];
  let i = 1;
  const value = (a: string, name: string): string | undefined => {
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
    if (a === name) return args[++i];
    return undefined;
  };
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') { i++; break; }
    if (!a.startsWith('-')) break;
    if (a === '-d' || a === '--detach') { detach = true; continue; }
    if (a === '-i' || a === '--interactive') { interactive = true; continue; }
    if (a === '-t' || a === '--tty') { tty = true; continue; }
    if (a === '--privileged') { privileged = true; continue; }
    let v: string | undefined;
    if ((v = value(a, '--entrypoint')) !== undefined) { entrypoint = v; continue; }
    if ((v = value(a, '--network') ?? value(a, '--net')) !== undefined) { network = v; continue; }
    if ((v = value(a, '-u') ?? value(a, '--user')) !== undefined) { user = v; continue; }
    if ((v = value(a, '--pull')) !== undefined) { if (v !== 'never') return undefined; pullNever = true; continue; }
    if ((v = value(a, '-v') ?? value(a, '--volume')) !== undefined) { binds.push(v); continue; }
    if ((v = value(a, '--cap-add')) !== undefined) { capAdd.push(v); continue; }
    if ((v = value(a, '--cap-drop')) !== undefined) { capDrop.push(v); continue; }
    if ((v = value(a, '--tmpfs')) !== undefined) {
      const k = v.indexOf(':');
      tmpfs[k < 0 ? v : v.slice(0, k)] = k < 0 ? '' : v.slice(k + 1);
      continue;
    }
    if ((v = value(a, '--device')) !== undefined) {
      const p = v.split(':');
      if (p.length > 3 || !p[0]) return undefined;
      devices.push({ PathOnHost: p[0], PathInContainer: p[1] || p[0], CgroupPermissions: p[2] || 'rwm' });
      continue;
    }
    return undefined;
  }
  const image = args[i];
  if (!detach || image === undefined || image === '' || binds.some((b) => !b.startsWith('/'))) return undefined;
  const cmd = args.slice(i + 1);
  return {
    pullNever,
    body: {
      Image: image,
      ...(entrypoint !== undefined ? { Entrypoint: [entrypoint] } : {}),
      ...(cmd.length > 0 ? { Cmd: cmd } : {}),
      Tty: tty, OpenStdin: interactive, StdinOnce: false, AttachStdin: false, AttachStdout: false, AttachStderr: false,
      User: user ?? '',
      HostConfig: {
        Binds: binds, NetworkMode: network ?? 'default', CapAdd: capAdd, CapDrop: capDrop, Privileged: privileged,
        Tmpfs: tmpfs, Devices: devices,
      },
    },
  };
}
