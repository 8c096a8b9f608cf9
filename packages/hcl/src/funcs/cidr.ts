// cidrhost, cidrnetmask, cidrsubnet, cidrsubnets (go-cty-funcs cidr on
// apparentlymart/go-cidr and Go's net package).
import * as T from '../cty/types.ts';
import { listVal, listValEmpty, stringVal } from '../cty/value.ts';
import { ArgError, FuncError, makeFunction, staticReturnType, toInt } from './function.ts';

interface Net {
  ip: bigint; // network address
  bits: 32 | 128;
  prefix: number;
}

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return undefined;
    const n = parseInt(p, 10);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIPv6(s: string): bigint | undefined {
  let head = s;
  let v4tail: bigint | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    v4tail = parseIPv4(s.slice(lastColon + 1));
    if (v4tail === undefined) return undefined;
    head = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.split('::');
  if (dbl.length > 2) return undefined;
  const groups = (x: string) => (x === '' ? [] : x.split(':'));
  const a = groups(dbl[0]);
  const b = dbl.length === 2 ? groups(dbl[1]) : [];
  const fill = 8 - a.length - b.length;
  if (dbl.length === 1 && a.length !== 8) return undefined;
  if (dbl.length === 2 && fill < 1) return undefined;
  const all = [...a, ...new Array(dbl.length === 2 ? fill : 0).fill('0'), ...b];
  let v = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (v4tail !== undefined) v = (v & ~0xffffffffn) | v4tail;
  return v;
}

/** net.ParseCIDR (the network part). */
export function parseCIDR(s: string): Net {
  const slash = s.indexOf('/');
  const err = () => new FuncError(`invalid CIDR expression: invalid CIDR address: ${s}`);
  if (slash < 0) throw err();
  const addr = s.slice(0, slash);
  const ps = s.slice(slash + 1);
  let ip: bigint | undefined;
  let bits: 32 | 128;
  if (addr.includes(':')) {
    ip = parseIPv6(addr);
    bits = 128;
  } else {
    ip = parseIPv4(addr);
    bits = 32;
  }
  if (ip === undefined || !/^\d+$/.test(ps) || ps.length > 3) throw err();
  const prefix = parseInt(ps, 10);
  if (prefix > bits) throw err();
  const mask = maskOf(prefix, bits);
  return { ip: ip & mask, bits, prefix };
}

function maskOf(prefix: number, bits: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return (all << BigInt(bits - prefix)) & all;
}

/** net.IP.String */
export function ipString(ip: bigint, bits: number): string {
  if (bits === 32 || (ip >> 32n) === 0xffffn) {
    const v = ip & 0xffffffffn;
    return [24n, 16n, 8n, 0n].map((sh) => String((v >> sh) & 0xffn)).join('.');
  }
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((ip >> BigInt(i * 16)) & 0xffffn));
  // longest run of zero groups (length >= 2)
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return g.map((x) => x.toString(16)).join(':');
  const left = g.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const right = g.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return `${left}::${right}`;
}

function netString(n: Net): string {
  return `${ipString(n.ip, n.bits)}/${n.prefix}`;
}

export const cidrhost = makeFunction({
  params: [
    { name: 'prefix', type: T.String },
    { name: 'hostnum', type: T.Number },
  ],
  type: staticReturnType(T.String),
  impl: (a) => {
    const hostNum = toInt(a[1]);
    const net = parseCIDR(a[0].asString());
    const hostLen = net.bits - net.prefix;
    const maxHost = (1n << BigInt(hostLen)) - 1n;
    let num = BigInt(hostNum);
    let numU = num < 0n ? num + (1n << 64n) : num; // big.NewInt(int64(bigNum.Uint64()))
    if (numU >= 1n << 63n) numU -= 1n << 64n;
    if (num < 0n) {
      numU = -num - 1n;
      num = maxHost - numU;
    }
    if (numU > maxHost) throw new FuncError(`prefix of ${net.prefix} does not accommodate a host numbered ${num}`);
    return stringVal(ipString(net.ip | num, net.bits));
  },
});

export const cidrnetmask = makeFunction({
  params: [{ name: 'prefix', type: T.String }],
  type: staticReturnType(T.String),
  impl: (a) => {
    const net = parseCIDR(a[0].asString());
    return stringVal(ipString(maskOf(net.prefix, net.bits), net.bits));
  },
});

export const cidrsubnet = makeFunction({
  params: [
    { name: 'prefix', type: T.String },
    { name: 'newbits', type: T.Number },
    { name: 'netnum', type: T.Number },
  ],
  type: staticReturnType(T.String),
  impl: (a) => {
    const newbits = toInt(a[1]);
    const netnum = toInt(a[2]);
    const net = parseCIDR(a[0].asString());
    if (newbits > 32) throw new FuncError('may not extend prefix by more than 32 bits');
    const newPrefix = net.prefix + newbits;
    if (newPrefix > net.bits) throw new FuncError(`insufficient address space to extend prefix of ${net.prefix} by ${newbits}`);
    const maxNet = newbits >= 0 && newbits < 64 ? (1n << BigInt(newbits)) - 1n : (1n << 64n) - 1n;
    if (BigInt(netnum) > maxNet) throw new FuncError(`prefix extension of ${newbits} does not accommodate a subnet numbered ${netnum}`);
    // big.Int arithmetic as Packer's go-cidr does it: a negative number ORs
    // in two's complement, and the address is made from its magnitude
    let ip = net.ip | (BigInt(netnum) << BigInt(net.bits - newPrefix));
    if (ip < 0n) ip = -ip;
    return stringVal(netString({ ip: ip & ((1n << BigInt(net.bits)) - 1n), bits: net.bits, prefix: newPrefix }));
  },
});

function lastOf(n: Net): bigint {
  return n.ip | ((1n << BigInt(n.bits - n.prefix)) - 1n);
}

export const cidrsubnets = makeFunction({
  params: [{ name: 'prefix', type: T.String }],
  varParam: { name: 'newbits', type: T.Number },
  type: staticReturnType(T.List(T.String)),
  impl: (a) => {
    let net: Net;
    try {
      net = parseCIDR(a[0].asString());
    } catch (e) {
      throw new ArgError(0, (e as Error).message);
    }
    const lens = a.slice(1);
    if (lens.length === 0) return listValEmpty(T.String);
    let first: number;
    try {
      first = toInt(lens[0]);
    } catch (e) {
      throw new ArgError(1, (e as Error).message);
    }
    first += net.prefix;
    const all = (1n << BigInt(net.bits)) - 1n;
    // PreviousSubnet(network, firstLength)
    const prevIp = (net.ip - 1n) & all;
    let current: Net = { ip: prevIp & maskOf(Math.min(first, net.bits), net.bits), bits: net.bits, prefix: first };
    const out: string[] = [];
    for (const [i, l] of lens.entries()) {
      let len: number;
      try {
        len = toInt(l);
      } catch (e) {
        throw new ArgError(i + 1, (e as Error).message);
      }
      if (len < 1) throw new ArgError(i + 1, 'must extend prefix by at least one bit');
      if (len > 32) throw new ArgError(i + 1, 'may not extend prefix by more than 32 bits');
      len += net.prefix;
      if (len > net.bits) {
        throw new ArgError(i + 1, `would extend prefix to ${len} bits, which is too long for an ${net.bits === 32 ? 'IPv4' : 'IPv6'} address`);
      }
      // NextSubnet(current, len)
      const mask = maskOf(len, net.bits);
      const curLast = lastOf(current);
      const curSub: Net = { ip: curLast & mask, bits: net.bits, prefix: len };
      const last = (lastOf(curSub) + 1n) & all;
      const next: Net = { ip: last & mask, bits: net.bits, prefix: len };
      const rollover = last === 0n;
      const contains = (next.ip & maskOf(net.prefix, net.bits)) === net.ip;
      if (rollover || !contains) {
        throw new ArgError(i + 1, `not enough remaining address space for a subnet with a prefix of ${len} bits after ${netString(current)}`);
      }
      current = next;
      out.push(netString(current));
    }
    return listVal(out.map(stringVal));
  },
});
