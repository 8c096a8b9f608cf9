// The function table of Packer's HCL2 templates: the 85 functions of Packer
// 1.6.6 (hcl2template/functions.go) plus those Packer added up to 1.16.
// Where the two versions define a name differently (`index`), 1.6.6's
// definition is used unless the 1.16 table is asked for.
import type { CtyFunction } from './function.ts';
import * as str from './string.ts';
import * as coll from './collection.ts';
import * as num from './number.ts';
import * as fmt from './format.ts';
import * as dt from './datetime.ts';
import * as enc from './encoding.ts';
import * as cidr from './cidr.ts';
import * as fs from './filesystem.ts';
import * as svc from './services.ts';
import * as yaml from './yaml.ts';
import * as sp from './special.ts';

export * from './function.ts';
export { makeTemplateFileFunc, rangeString, type TemplateRenderer } from './special.ts';

export interface FunctionsOptions {
  /** 'packer-1.6.6' (default: 1.6.6's definitions plus the later functions) or 'packer-1.16'. */
  version?: 'packer-1.6.6' | 'packer-1.16';
  /** Renders templatefile's templates (the language layer provides it). */
  templateRenderer?: sp.TemplateRenderer;
}

/** The names Packer 1.6.6 defines. */
export const PACKER_166_FUNCTIONS = [
  'abs', 'abspath', 'aws_secretsmanager', 'basename', 'base64decode', 'base64encode', 'bcrypt', 'can', 'ceil', 'chomp',
  'chunklist', 'cidrhost', 'cidrnetmask', 'cidrsubnet', 'cidrsubnets', 'coalesce', 'coalescelist', 'compact', 'concat',
  'consul_key', 'contains', 'convert', 'csvdecode', 'dirname', 'distinct', 'element', 'file', 'fileexists', 'fileset',
  'flatten', 'floor', 'format', 'formatdate', 'formatlist', 'indent', 'index', 'join', 'jsondecode', 'jsonencode', 'keys',
  'length', 'log', 'lookup', 'lower', 'max', 'md5', 'merge', 'min', 'parseint', 'pathexpand', 'pow', 'range', 'reverse',
  'replace', 'regex_replace', 'rsadecrypt', 'setintersection', 'setproduct', 'setunion', 'sha1', 'sha256', 'sha512',
  'signum', 'slice', 'sort', 'split', 'strrev', 'substr', 'timestamp', 'timeadd', 'title', 'trim', 'trimprefix',
  'trimspace', 'trimsuffix', 'try', 'upper', 'urlencode', 'uuidv4', 'uuidv5', 'values', 'vault', 'yamldecode',
  'yamlencode', 'zipmap',
] as const;

/** The names Packer added by 1.16. */
export const PACKER_116_ADDED_FUNCTIONS = [
  'alltrue', 'anytrue', 'aws_secretsmanager_raw', 'base64gzip', 'endswith', 'filebase64', 'legacy_isotime',
  'legacy_strftime', 'regex', 'regexall', 'rfc3339_parse', 'startswith', 'strcontains', 'sum', 'templatefile',
  'textdecodebase64', 'textencodebase64', 'unix_timestamp_parse',
] as const;

/**
 * The functions of an evaluation scope. `basedir` is the directory file
 * paths are relative to (the template's directory).
 */
export function functions(basedir: string, opts: FunctionsOptions = {}): Record<string, CtyFunction> {
  const table: Record<string, CtyFunction> = {
    abs: num.abs,
    abspath: fs.abspath,
    alltrue: coll.alltrue,
    anytrue: coll.anytrue,
    aws_secretsmanager: svc.aws_secretsmanager,
    aws_secretsmanager_raw: svc.aws_secretsmanager_raw,
    basename: fs.basename,
    base64decode: enc.base64decode,
    base64encode: enc.base64encode,
    base64gzip: enc.base64gzip,
    bcrypt: enc.bcrypt,
    can: sp.can,
    ceil: num.ceil,
    chomp: str.chomp,
    chunklist: coll.chunklist,
    cidrhost: cidr.cidrhost,
    cidrnetmask: cidr.cidrnetmask,
    cidrsubnet: cidr.cidrsubnet,
    cidrsubnets: cidr.cidrsubnets,
    coalesce: coll.coalesce,
    coalescelist: coll.coalescelist,
    compact: coll.compact,
    concat: coll.concat,
    consul_key: svc.consul_key,
    contains: coll.contains,
    convert: sp.convertFn,
    csvdecode: enc.csvdecode,
    dirname: fs.dirname,
    distinct: coll.distinct,
    element: coll.element,
    endswith: str.endswith,
    file: fs.makeFileFunc(basedir, false),
    filebase64: fs.filebase64,
    fileexists: fs.makeFileExistsFunc(basedir),
    fileset: fs.makeFileSetFunc(basedir),
    flatten: coll.flatten,
    floor: num.floor,
    format: fmt.format,
    formatdate: dt.formatdate,
    formatlist: fmt.formatlist,
    indent: str.indent,
    index: opts.version === 'packer-1.16' ? sp.index116 : coll.index,
    join: str.join,
    jsondecode: enc.jsondecode,
    jsonencode: enc.jsonencode,
    keys: coll.keys,
    legacy_isotime: sp.legacy_isotime,
    legacy_strftime: sp.legacy_strftime,
    length: coll.length,
    log: num.log,
    lookup: coll.lookup,
    lower: str.lower,
    max: num.max,
    md5: enc.md5,
    merge: coll.merge,
    min: num.min,
    parseint: num.parseint,
    pathexpand: fs.pathexpand,
    pow: num.pow,
    range: coll.range,
    reverse: coll.reverse,
    replace: str.replace,
    regex: str.regex,
    regexall: str.regexall,
    regex_replace: str.regex_replace,
    rfc3339_parse: sp.rfc3339_parse,
    rsadecrypt: enc.rsadecrypt,
    setintersection: coll.setintersection,
    setproduct: coll.setproduct,
    setunion: coll.setunion,
    sha1: enc.sha1,
    sha256: enc.sha256,
    sha512: enc.sha512,
    signum: num.signum,
    slice: coll.slice,
    sort: str.sort,
    split: str.split,
    startswith: str.startswith,
    strcontains: str.strcontains,
    strrev: str.strrev,
    substr: str.substr,
    sum: coll.sum,
    textdecodebase64: enc.textdecodebase64,
    textencodebase64: enc.textencodebase64,
    timestamp: dt.timestamp,
    timeadd: dt.timeadd,
    title: str.title,
    trim: str.trim,
    trimprefix: str.trimprefix,
    trimspace: str.trimspace,
    trimsuffix: str.trimsuffix,
    try: sp.tryFn,
    unix_timestamp_parse: sp.unix_timestamp_parse,
    upper: str.upper,
    urlencode: enc.urlencode,
    uuidv4: enc.uuidv4,
    uuidv5: enc.uuidv5,
    values: coll.values,
    vault: svc.vault,
    yamldecode: yaml.yamldecode,
    yamlencode: yaml.yamlencode,
    zipmap: coll.zipmap,
  };
  table.templatefile = sp.makeTemplateFileFunc(basedir, opts.templateRenderer, () => table);
  return table;
}
