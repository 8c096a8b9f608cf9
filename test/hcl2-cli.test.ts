/**
 * HCL2 templates through `build`, `validate` and `inspect`: each case runs
 * bin/packer-ts and Packer 1.6.6 (/usr/bin/packer) on the same files in
 * fresh directories and compares exit status, output lines (normalized
 * for durations, script names and the directory; sorted, since builds run
 * in parallel) and the files left behind. Cases that only Packer 1.16 has
 * (error-cleanup-provisioner, variables in a build's name) run against
 * packer-1.16 when it is present.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { normalizedLines, PACKER_TS, REAL_PACKER, removeDir, run, snapshot } from './helpers/run.ts';
import { requireTools } from './helpers/requires.ts';
import { missingOracles, oracle } from './helpers/modern-oracles.ts';

interface Case {
  files: Record<string, string>;
  args: string[];
  /** Which Packer answers (default 1.6.6). */
  oracle?: string;
  /** Lines that only one tool prints (component lists differ: packer-ts has fewer built-ins). */
  ignore?: RegExp;
  /** Files to make executable. */
  executables?: string[];
  /** Environment of packer-ts's run only. */
  oursEnv?: NodeJS.ProcessEnv;
}

async function runIn(cmd: string, c: Case, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string[]; err: string[]; files: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-hcl2-'));
  try {
    for (const [name, text] of Object.entries(c.files)) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), text);
    }
    for (const name of c.executables ?? []) await chmod(join(dir, name), 0o755);
    const r = await run(cmd, c.args, { cwd: dir, env: { HOME: dir, PACKER_CONFIG_DIR: dir, ...env } });
    const keep = (l: string) => !(c.ignore?.test(l) ?? false);
    const files = [...(await snapshot(dir, (rel) => rel.startsWith('.') || rel === 'crash.log'))].map(([k, v]) => `${k}: ${v.toString('utf8')}`).sort();
    return { code: r.code, out: normalizedLines(r.stdout, dir).filter(keep), err: normalizedLines(r.stderr, dir).filter(keep), files };
  } finally {
    await removeDir(dir);
  }
}

async function compare(c: Case): Promise<void> {
  const theirs = await runIn(c.oracle ?? REAL_PACKER, c);
  const ours = await runIn(PACKER_TS, c, c.oursEnv);
  assert.equal(ours.code, theirs.code, `exit status\nours:\n${ours.out.join('\n')}\ntheirs:\n${theirs.out.join('\n')}`);
  assert.deepEqual(ours.out, theirs.out, 'stdout');
  assert.deepEqual(ours.err, theirs.err, 'stderr');
  assert.deepEqual(ours.files, theirs.files, 'files left behind');
}

const NULL_SOURCE = 'source "null" "basic" {\n  communicator = "none"\n}\n';

const cases: Record<string, Case> = {
  'a null build from one .pkr.hcl file, source.* and build.* in a provisioner': {
    files: {
      'a.pkr.hcl': `${NULL_SOURCE}
build {
  sources = ["source.null.basic"]
  provisioner "shell-local" {
    inline = ["echo hi \${source.name} \${source.type} \${build.ID} \${build.name}"]
  }
}
`,
    },
    args: ['build', '-machine-readable', 'a.pkr.hcl'],
  },
  'the same in human mode, with colours': {
    files: { 'a.pkr.hcl': `${NULL_SOURCE}build {\n  sources = ["null.basic"]\n  provisioner "shell-local" {\n    inline = ["echo hello"]\n  }\n}\n` },
    args: ['build', 'a.pkr.hcl'],
  },
  'a directory of .pkr.hcl and .pkr.json files: named builds, build-level sources, only/except, post-processor chains': {
    files: {
      'dir/src.pkr.hcl': 'packer {\n  required_version = ">= 1.2.0"\n}\nsource "null" "a" { communicator = "none" }\nsource "null" "b" { communicator = "none" }\n',
      'dir/build.pkr.json': JSON.stringify({ build: { name: 'jb', sources: ['source.null.a'], provisioner: [{ 'shell-local': { inline: ['echo json ${source.name}'] } }] } }, null, 2),
      'dir/b2.pkr.hcl': `build {
  name = "named"
  description = "a description"
  source "source.null.b" {
    name = "renamed"
  }
  source "null.a" {}
  provisioner "shell-local" {
    only = ["null.renamed"]
    inline = ["echo only-renamed \${source.name}"]
  }
  provisioner "shell-local" {
    name = "second"
    except = ["null.renamed"]
    inline = ["echo except-renamed \${source.name}"]
    max_retries = 2
    pause_before = "1ms"
  }
  provisioner "shell-local" {
    inline   = ["echo base \${source.name}"]
    override = {
      renamed = { inline = ["echo overridden"] }
    }
  }
  post-processors {
    post-processor "shell-local" {
      name = "first"
      inline = ["echo pp1"]
    }
    post-processor "shell-local" {
      inline = ["echo pp2"]
      keep_input_artifact = true
    }
  }
  post-processor "shell-local" {
    inline = ["echo lone"]
  }
}
`,
      'dir/ignored.json': '{}',
      'dir/sub/ignored.pkr.hcl': 'this is not read',
    },
    args: ['build', '-machine-readable', 'dir'],
  },
  '-except names builds and post-processors': {
    files: {
      't.pkr.hcl': `source "null" "a" { communicator = "none" }
source "null" "b" { communicator = "none" }
build {
  sources = ["null.a", "null.b"]
  post-processor "shell-local" {
    name = "skipme"
    inline = ["echo skipped"]
  }
  post-processors {
    post-processor "shell-local" { inline = ["echo kept"] }
    post-processor "shell-local" {
      name = "cut"
      inline = ["echo cut"]
    }
  }
}
`,
    },
    args: ['build', '-machine-readable', '-except', 'null.b,skipme,c?t', 't.pkr.hcl'],
  },
  'file builder artifacts, path.root, dynamic provisioner blocks over a local': {
    files: {
      'd/t.pkr.hcl': `locals {
  words = ["alpha", "beta"]
}
source "file" "f" {
  content = "some content"
  target  = "\${path.root}/out.txt"
}
build {
  sources = ["source.file.f"]
  dynamic "provisioner" {
    for_each = local.words
    labels   = ["shell-local"]
    content {
      inline = ["echo \${provisioner.key} \${provisioner.value}"]
    }
  }
}
`,
    },
    args: ['build', '-machine-readable', 'd'],
  },
  'validate of a good directory says nothing': {
    files: { 'd/a.pkr.hcl': `${NULL_SOURCE}build {\n  sources = ["null.basic"]\n}\n` },
    args: ['validate', 'd'],
  },
  'validate -syntax-only does not look at sources': {
    files: { 'a.pkr.hcl': 'source "nope" "x" {}\nbuild {\n  sources = ["nope.x"]\n}\n' },
    args: ['validate', '-syntax-only', 'a.pkr.hcl'],
  },
  'inspect lists variables, locals and builds': {
    files: {
      'a.pkr.hcl': `variable "v" {
  type    = string
  default = "vee"
}
locals {
  l = "\${var.v}-local"
  m = { a = 1, b = [true, "x"] }
}
${NULL_SOURCE}
build {
  name        = "b"
  description = "desc"
  sources     = ["null.basic"]
  provisioner "shell-local" {
    name   = "p"
    inline = ["true"]
  }
  post-processors {
    post-processor "shell-local" { inline = ["true"] }
    post-processor "shell-local" {
      name   = "x"
      inline = ["true"]
    }
  }
}
build {
  sources = ["source.null.basic"]
}
`,
    },
    args: ['inspect', 'a.pkr.hcl'],
  },
  'a syntax error is shown with its source lines, every file read': {
    files: {
      'd/a.pkr.hcl': 'source "null" "x" {\n  communicator = \n}\n',
      'd/b.pkr.hcl': 'build {\n',
      'd/c.pkr.json': '{"build": [}',
    },
    args: ['validate', 'd'],
  },
  'unknown root blocks and arguments': {
    files: { 'a.pkr.hcl': `foo {}\nbar = 1\n${NULL_SOURCE}` },
    args: ['build', 'a.pkr.hcl'],
  },
  'a missing file, a directory without templates': {
    files: { 'empty/x.json': '{}' },
    args: ['validate', 'empty'],
  },
  'a missing .pkr.hcl file': {
    files: {},
    args: ['build', 'nope.pkr.hcl'],
  },
  'required_version not met, and a malformed one': {
    files: { 'd/a.pkr.hcl': 'packer {\n  required_version = ">= 9.0"\n}\n', 'd/b.pkr.hcl': 'packer {\n  required_version = "garbage!!"\n}\n' },
    args: ['build', 'd'],
  },
  'duplicate sources, invalid source references': {
    files: { 'a.pkr.hcl': `${NULL_SOURCE}${NULL_SOURCE}build {\n  sources = ["source.null.basic", "bad"]\n}\n` },
    args: ['validate', 'a.pkr.hcl'],
  },
  'a build-level source may not set what its source sets (Duplicate argument)': {
    files: { 'a.pkr.hcl': 'source "file" "f" {\n  content = "x"\n  target = "out.txt"\n}\nbuild {\n  source "source.file.f" {\n    name = "o"\n    target = "other.txt"\n  }\n}\n' },
    args: ['build', 'a.pkr.hcl'],
  },
  'a build-level source adds arguments': {
    files: { 'a.pkr.hcl': 'source "file" "f" {\n  content = "x"\n}\nbuild {\n  source "source.file.f" {\n    name = "one"\n    target = "one.txt"\n  }\n  source "source.file.f" {\n    name = "two"\n    target = "two.txt"\n  }\n}\n' },
    args: ['build', '-machine-readable', 'a.pkr.hcl'],
  },
  'a source that fails to prepare is reported and the others still build (exit 1)': {
    files: { 'a.pkr.hcl': `${NULL_SOURCE}source "file" "bad" {\n  content = "x"\n}\nbuild {\n  sources = ["null.basic", "file.bad"]\n  provisioner "shell-local" {\n    inline = ["echo ran"]\n  }\n}\n` },
    args: ['build', '-machine-readable', 'a.pkr.hcl'],
  },
  'a prepare warning is a Warning diagnostic on the source block, and the build runs': {
    files: { 'a.pkr.hcl': 'source "file" "w" {\n  target = "x.txt"\n}\nbuild {\n  sources = ["file.w"]\n}\n' },
    args: ['build', 'a.pkr.hcl'],
  },
  'unknown sources in a build, bad meta-arguments of provisioners and post-processors': {
    files: { 'a.pkr.hcl': `${NULL_SOURCE}build {\n  sources = ["null.basic", "null.nope"]\n  provisioner "shell-local" {\n    foo = "bar"\n    inline = ["echo \${var.nope}"]\n  }\n  post-processor "shell-local" {\n    name = 3\n    keep_input_artifact = "yes"\n  }\n}\n` },
    args: ['validate', 'a.pkr.hcl'],
  },
  'a provisioner configuration error names the provisioner block': {
    files: { 'a.pkr.hcl': `${NULL_SOURCE}build {\n  sources = ["null.basic"]\n  provisioner "shell-local" {\n    inline = ["a"]\n    command = "b"\n  }\n}\n` },
    args: ['validate', 'a.pkr.hcl'],
  },
  'build.* generated data in a post-processor (Packer 1.6.6 knows no build.name there)': {
    files: { 'a.pkr.hcl': `${NULL_SOURCE}build {\n  name = "n"\n  sources = ["null.basic"]\n  post-processor "shell-local" {\n    inline = ["echo \${build.ID}"]\n  }\n  post-processor "shell-local" {\n    inline = ["echo \${build.name}"]\n  }\n}\n` },
    args: ['build', '-machine-readable', 'a.pkr.hcl'],
  },
};

// Packer 1.6.6's own components as plugins in ~/.packer.d/plugins: packer-ts gets their
// ConfigSpec over RPC and sends Prepare what Packer sends. Each plugin leaves a used-* file,
// so that the files compared show packer-ts ran them.
const GO_PLUGINS = ['builder-file', 'builder-null', 'provisioner-shell-local', 'post-processor-checksum', 'post-processor-shell-local'];
cases['Packer\'s Go plugins from an HCL2 template: file and null builders, shell-local, a checksum chain'] = {
  files: {
    ...Object.fromEntries(GO_PLUGINS.map((c) => [`.packer.d/plugins/packer-${c}`, `#!/bin/sh\n: > used-${c}\nexec ${REAL_PACKER} plugin packer-${c}\n`])),
    'go.pkr.hcl': `source "file" "f" {
  content = "go content"
  target  = "go-out.txt"
}
source "null" "n" { communicator = "none" }
build {
  sources = ["source.file.f", "null.n"]
  provisioner "shell-local" {
    inline = ["echo from go \${source.name} \${build.ID}"]
  }
  post-processors {
    post-processor "checksum" {
      checksum_types = ["md5", "sha1"]
      output         = "sums-\${source.name}.txt"
    }
    post-processor "shell-local" {
      inline = ["echo pp"]
    }
  }
}
`,
  },
  executables: GO_PLUGINS.map((c) => `.packer.d/plugins/packer-${c}`),
  args: ['build', '-machine-readable', 'go.pkr.hcl'],
};

// our built-ins as plugin processes: configs cross the boundary as cty JSON, as Packer sends them
const dirCase = cases['a directory of .pkr.hcl and .pkr.json files: named builds, build-level sources, only/except, post-processor chains']!;
cases['the directory case with built-ins as plugin processes (PACKER_TS_BUILTINS=plugin)'] = { ...dirCase, oursEnv: { PACKER_TS_BUILTINS: 'plugin' } };

for (const [name, c] of Object.entries(cases)) {
  test(`HCL2: ${name}`, async () => {
    requireTools('packer');
    await compare(c);
  });
}

const GLOB_TEMPLATE = `source "null" "a" { communicator = "none" }
source "null" "b" { communicator = "none" }
build {
  name = "one"
  sources = ["null.a", "null.b"]
  provisioner "shell-local" { inline = ["echo \${build.name} \${source.name}"] }
}
build {
  sources = ["null.a"]
  provisioner "shell-local" { inline = ["echo unnamed \${source.name}"] }
}
`;

// gobwas/glob's syntax, its lenient corners and its errors (a pattern list splits at commas first)
const GLOBS = ['one.*', '*.a', 'null.?', 'one.null.[ab]', 'one.null.[!a]', 'one.null.[a-b]', '*.{a,c}', 'one.null.{a', 'one.null.{', 'one.null.\\', 'one.null.[ab', 'o\\ne.*', '{one,null}.*', '*'];

test('HCL2: -only and -except patterns match build names as Packer 1.6.6 does', async () => {
  requireTools('packer');
  for (const flag of ['-only', '-except']) {
    for (const pattern of GLOBS) {
      await compare({ files: { 't.pkr.hcl': GLOB_TEMPLATE }, args: ['build', '-machine-readable', `${flag}=${pattern}`, 't.pkr.hcl'] });
    }
  }
});

const modern: Record<string, Case> = {
  'error-cleanup-provisioner runs when a provisioner fails; variables in a build name': {
    files: {
      'a.pkr.hcl': `variable "bn" {
  type    = string
  default = "vb"
}
${NULL_SOURCE}
build {
  name    = var.bn
  sources = ["null.basic"]
  provisioner "shell-local" {
    inline = ["exit 3"]
  }
  error-cleanup-provisioner "shell-local" {
    inline = ["echo cleanup \${source.name} > cleanup.txt"]
  }
}
`,
    },
    args: ['build', '-machine-readable', 'a.pkr.hcl'],
    // the shell-local plugins' own wording differs between the versions
    ignore: /Script exited with non-zero exit status|Running local shell script/,
  },
  'required_plugins that are not installed, and malformed entries': {
    files: {
      'd/a.pkr.hcl': `packer {\n  required_plugins {\n    foo = {\n      source  = "github.com/hashicorp/foo"\n      version = ">= 1.0"\n    }\n  }\n}\n${NULL_SOURCE}build {\n  sources = ["null.basic"]\n}\n`,
      'e/a.pkr.hcl': `packer {\n  required_plugins {\n    bar = {\n      source  = "not a source"\n      version = "~> nope"\n    }\n  }\n}\n`,
    },
    args: ['validate', 'd'],
    // the command's own name
    ignore: /Did you run packer(-ts)? init/,
  },
  'data blocks: a null datasource from a variable, a local from the datasource, a file from both': {
    files: {
      'a.pkr.hcl': `variable "x" {
  default = "vx"
}
data "null" "n" {
  input = "from-data-\${var.x}"
}
locals {
  l = "\${data.null.n.output}-local"
}
source "file" "f" {
  content = "\${local.l} \${data.null.n.output}"
  target  = "out.txt"
}
build {
  sources = ["file.f"]
}
`,
    },
    args: ['build', '-machine-readable', 'a.pkr.hcl'],
  },
  'only one error-cleanup-provisioner per build': {
    files: { 'a.pkr.hcl': `${NULL_SOURCE}build {\n  sources = ["null.basic"]\n  error-cleanup-provisioner "shell-local" {\n    inline = ["true"]\n  }\n  error-cleanup-provisioner "shell-local" {\n    inline = ["true"]\n  }\n}\n` },
    args: ['validate', 'a.pkr.hcl'],
  },
};

modern['validate configures datasources without running them'] = { ...modern['data blocks: a null datasource from a variable, a local from the datasource, a file from both']!, args: ['validate', 'a.pkr.hcl'], ignore: /The configuration is valid\./ };
modern['malformed required_plugins entries'] = { ...modern['required_plugins that are not installed, and malformed entries']!, args: ['validate', 'e'] };

for (const [name, c] of Object.entries(modern)) {
  test(`HCL2 (Packer 1.16): ${name}`, async (t) => {
    const missing = missingOracles('packer-1.16');
    if (missing) { t.skip(missing); return; }
    await compare({ ...c, oracle: oracle('packer-1.16') });
  });
}
