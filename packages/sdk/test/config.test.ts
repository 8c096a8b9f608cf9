import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeConfig, camelCase, parseGoDuration, formatGoDuration } from '../src/config/index.ts';
import type { Schema } from '../src/config/index.ts';
import { DecodeError, MultiError } from '../src/errors.ts';
import { redact, clearSecrets } from '../src/secrets.ts';
import { basicPlaceholderData, render } from '../src/template/interpolate/index.ts';

const packerRaw = {
  packer_build_name: 'web', packer_builder_type: 'file', packer_core_version: '1.6.6', packer_debug: false,
  packer_force: true, packer_on_error: 'abort', packer_template_path: '/t/dir/template.json',
  packer_user_variables: { who: 'me', pw: 'hunter2secret' }, packer_sensitive_variables: ['pw'],
};

/** The messages of what `fn` throws: a list's errors, or a single error's message. */
function errorsOf(fn: () => unknown): string[] {
  return errorOf(fn) instanceof MultiError ? (errorOf(fn) as MultiError).errors.map((x) => x.message) : [errorOf(fn).message];
}

function errorOf(fn: () => unknown): Error {
  try { fn(); } catch (e) {
    assert.ok(e instanceof Error, `not an Error: ${e}`);
    return e;
  }
  assert.fail('no error thrown');
}

test('camelCase property names and `as`', () => {
  assert.equal(camelCase('keep_input_artifact'), 'keepInputArtifact');
  assert.equal(camelCase('content'), 'content');
  const { config } = decodeConfig<Record<string, unknown>>(
    { keep_input_artifact: { type: 'bool' }, target: { type: 'string', as: 'outPath' } },
    [{ keep_input_artifact: true, target: 'x' }],
  );
  assert.deepEqual(config, { keepInputArtifact: true, outPath: 'x' });
});

test('packer_* keys fill PackerConfig and the context; sensitive values become secrets', () => {
  clearSecrets();
  const d = decodeConfig<{ content: string }>({ content: { type: 'string' } },
    [{ type: 'file', content: '{{user `who`}}@{{build_name}}/{{build_type}}/{{template_dir}}/{{packer_version}}' }, packerRaw]);
  assert.equal(d.config.content, 'me@web/file//t/dir/1.6.6');
  assert.deepEqual(d.packer, {
    buildName: 'web', builderType: 'file', coreVersion: '1.6.6', debug: false, force: true, onError: 'abort',
    templatePath: '/t/dir/template.json', userVariables: { who: 'me', pw: 'hunter2secret' }, sensitiveVariables: ['pw'],
  });
  assert.equal(d.ctx.buildName, 'web');
  assert.equal(d.ctx.templatePath, '/t/dir/template.json');
  assert.equal(redact('pass=hunter2secret'), 'pass=<sensitive>');
  clearSecrets();
});

test('raws merge in order; nested objects and maps merge key by key', () => {
  const schema: Schema = {
    a: { type: 'string' }, b: { type: 'int' }, tags: { type: 'map' }, list: { type: 'string[]' },
    nested: { type: { object: { x: { type: 'string' }, y: { type: 'string' } } } },
  };
  const { config } = decodeConfig<Record<string, unknown>>(schema, [
    { a: 'first', b: 1, tags: { k1: 'v1' }, list: ['1', '2', '3'], nested: { x: 'x1', y: 'y1' } },
    { a: 'second', tags: { k2: 'v2' }, list: ['9'], nested: { y: 'y2' } },
  ]);
  assert.deepEqual(config, { a: 'second', b: 1, tags: { k1: 'v1', k2: 'v2' }, list: ['9'], nested: { x: 'x1', y: 'y2' } });
});

test('weak type conversion like mapstructure WeaklyTypedInput', () => {
  const schema: Schema = {
    i1: { type: 'int' }, i2: { type: 'int' }, i3: { type: 'int' }, i4: { type: 'int' },
    s1: { type: 'string' }, s2: { type: 'string' }, s3: { type: 'string' },
    b1: { type: 'bool' }, b2: { type: 'bool' }, b3: { type: 'bool' }, b4: { type: 'bool' },
    f1: { type: 'float' }, l1: { type: 'string[]' }, l2: { type: 'string[]' }, l3: { type: 'string[]' },
    m: { type: 'map' }, a: { type: 'any' }, ints: { type: { array: 'int' } },
  };
  const { config } = decodeConfig<Record<string, unknown>>(schema, [{
    i1: '3', i2: 4.0, i3: 2.9, i4: '0x10', s1: 3, s2: 1.5, s3: true, b1: 'true', b2: '1', b3: 0, b4: 'f', f1: '2.5',
    l1: 'a,b', l2: ['x', 2], l3: 7, m: { k: 1, j: false }, a: { raw: ['{{ not rendered }}'] }, ints: ['1', 2],
  }]);
  assert.deepEqual(config, {
    i1: 3, i2: 4, i3: 2, i4: 16, s1: '3', s2: '1.5', s3: '1', b1: true, b2: true, b3: false, b4: false, f1: 2.5,
    l1: ['a', 'b'], l2: ['x', '2'], l3: ['7'], m: { k: '1', j: '0' }, a: { raw: ['{{ not rendered }}'] }, ints: [1, 2],
  });
});

test('weak decoding of lists and maps as mapstructure\'s, in Go\'s words', () => {
  const schema: Schema = {
    inline: { type: 'string[]', goName: 'Inline' }, codes: { type: { array: 'int' } }, rows: { type: { array: 'string[]' } },
    key: { type: 'bytes' }, tags: { type: 'map' }, extra: { type: 'map-any', goName: 'Extra' },
    items: { type: { array: { name: { type: 'string' } } } }, wait: { type: 'duration' },
  };
  const decode = (raw: Record<string, unknown>) => decodeConfig<Record<string, unknown>>(schema, [raw]).config;
  // a value that is no list is lifted into a one-element list; an empty map is an empty list;
  // a string is split at commas first (Packer's hook); null elements stay zero values
  assert.deepEqual(decode({ inline: 5, codes: '1,2', rows: 'a,b', items: { name: 'x' } }),
    { inline: ['5'], codes: [1, 2], rows: [['a'], ['b']], items: [{ name: 'x' }] });
  assert.deepEqual(decode({ inline: {}, codes: [null, 3], rows: [] }), { inline: [], codes: [0, 3], rows: [] });
  // []byte: numbers keep their low 8 bits
  assert.deepEqual(decode({ key: [104, 105, 256 + 33] }), { key: 'hi!' });
  // a list of maps (or of such lists) merges into one map; a bool is 1 ns
  assert.deepEqual(decode({ tags: [{ a: 'x' }, null, [{ b: 2 }]], extra: [{ k: [1] }, { j: true }], wait: true }),
    { tags: { a: 'x', b: '2' }, extra: { k: [1], j: true }, wait: 1e-6 });
  const errs = (raw: Record<string, unknown>) => {
    const e = errorOf(() => decode(raw));
    assert.ok(e instanceof DecodeError, e.message);
    return e.errors.map((x) => x.message);
  };
  assert.deepEqual(errs({ inline: { a: 1 } }),
    ["'Inline[0]' expected type 'string', got unconvertible type 'map[interface {}]interface {}', value: 'map[a:1]'"]);
  assert.deepEqual(errs({ codes: [[1e6, 1e-5, 1.5]] }),
    ["'codes[0]' expected type 'int', got unconvertible type '[]interface {}', value: '[1e+06 1e-05 1.5]'"]);
  assert.deepEqual(errs({ rows: { a: 1 } }),
    ["'rows[0][0]' expected type 'string', got unconvertible type 'map[interface {}]interface {}', value: 'map[a:1]'"]);
  assert.deepEqual(errs({ key: 'ab,300' }), [
    'cannot parse \'key[0]\' as uint: strconv.ParseUint: parsing "ab": invalid syntax',
    'cannot parse \'key[1]\' as uint: strconv.ParseUint: parsing "300": value out of range',
  ]);
  // map entries are named by their interface {} key; the first list element that fails ends the list
  assert.deepEqual(errs({ tags: [{ a: [1], b: 'ok' }, 5] }),
    ["'tags[0][<interface {} Value>]' expected type 'string', got unconvertible type '[]interface {}', value: '[1]'"]);
  assert.deepEqual(errs({ tags: [{ a: 'x' }, 5], extra: 'x', items: 7 }), [
    "'tags[1]' expected a map, got 'float64'",
    "'Extra' expected a map, got 'string'",
    "'items[0]' expected a map, got 'float64'",
  ]);
});

test('durations', () => {
  assert.equal(parseGoDuration('1h2m3.5s'), 3723.5e9);
  assert.equal(parseGoDuration('500ms'), 5e8);
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('-1.5m'), -90e9);
  assert.equal(parseGoDuration('10us') + parseGoDuration('1µs'), 11000);
  assert.throws(() => parseGoDuration(''), /^Error: time: invalid duration ""$/);
  assert.throws(() => parseGoDuration('5'), /time: missing unit in duration "5"/);
  assert.throws(() => parseGoDuration('5y'), /time: unknown unit "y" in duration "5y"/);
  assert.equal(formatGoDuration(3723.5e9), '1h2m3.5s');
  assert.equal(formatGoDuration(5e8), '500ms');
  const { config } = decodeConfig<Record<string, number>>(
    { t1: { type: 'duration' }, t2: { type: 'duration' }, t3: { type: 'duration', default: 60000 } },
    [{ t1: '1m30s', t2: 2e9 }],
  );
  assert.deepEqual(config, { t1: 90000, t2: 2000, t3: 60000 });
});

test('defaults, required, oneOf', () => {
  const schema: Schema = {
    name: { type: 'string', required: true }, mode: { type: 'string', oneOf: ['fast', 'slow'], default: 'fast' },
    n: { type: 'int', default: 5 }, list: { type: 'string[]', required: true },
  };
  assert.deepEqual(decodeConfig(schema, [{ name: 'x', list: ['a'] }]).config, { name: 'x', mode: 'fast', n: 5, list: ['a'] });
  assert.deepEqual(errorsOf(() => decodeConfig(schema, [{ name: '', mode: 'medium', list: [] }])), [
    'name must be specified',
    'mode must be one of "fast", "slow"; got "medium"',
    'list must be specified',
  ]);
});

test('problems in Packer\'s stages: the first template error alone, then all type errors, then all unknown keys', () => {
  const schema: Schema = {
    content: { type: 'string' }, count: { type: 'int' }, flag: { type: 'bool' }, timeout: { type: 'duration' },
    list: { type: 'string[]' },
    nested: { type: { object: { bar: { type: { array: 'int' } }, deep: { type: { object: { q: { type: 'bool' } } } } } } },
    items: { type: { array: { name: { type: 'string', required: true } } } },
    inline: { type: 'string[]' },
  };
  const bad = {
    content: { a: 1 }, count: 'x', flag: 'maybe', timeout: '3 min', list: { a: 1 }, foo: 1, bar: 2,
    nested: { bar: [1, 2, 'z'], deep: { q: 'nah', extra: 1 } }, items: [{ name: 'ok' }, {}],
    inline: ['fine', '{{ nope }}', '{{ user 1 }}'],
  };
  // config.Decode renders first and returns the first template error as it is (top-level key only)
  const first = errorOf(() => decodeConfig(schema, [bad, packerRaw]));
  assert.ok(!(first instanceof MultiError));
  assert.equal(first.message, 'invalid \'inline\': template: root:1: function "nope" not defined in:\n\n{{ nope }}');
  assert.equal(errorOf(() => decodeConfig(schema, [{ ...bad, inline: ['{{ user 1 }}'] }, packerRaw])).message,
    'render \'inline\': template: root:1:8: executing "root" at <1>: expected string; found 1 in:\n\n{{ user 1 }}');
  // then mapstructure's list of values of the wrong type, sorted, in its own words
  const typed = errorOf(() => decodeConfig(schema, [{ ...bad, inline: ['fine'] }, packerRaw]));
  assert.ok(typed instanceof DecodeError);
  assert.match(typed.message, /^8 error\(s\) decoding:\n\n\* '/);
  assert.deepEqual(typed.errors.map((e) => e.message), [
    "'content' expected type 'string', got unconvertible type 'map[interface {}]interface {}', value: 'map[a:1]'",
    'cannot parse \'count\' as int: strconv.ParseInt: parsing "x": invalid syntax',
    'cannot parse \'flag\' as bool: strconv.ParseBool: parsing "maybe": invalid syntax',
    'error decoding \'timeout\': time: unknown unit " min" in duration "3 min"',
    "'list[0]' expected type 'string', got unconvertible type 'map[interface {}]interface {}', value: 'map[a:1]'",
    'cannot parse \'nested.bar[2]\' as int: strconv.ParseInt: parsing "z": invalid syntax',
    'cannot parse \'nested.deep.q\' as bool: strconv.ParseBool: parsing "nah": invalid syntax',
    'items[1].name must be specified',
  ]);
  // last, every key no field takes, in go-multierror's list
  const unused = errorOf(() => decodeConfig(schema, [{ foo: 1, bar: 2, nested: { deep: { extra: 1 } } }, packerRaw]));
  assert.ok(unused instanceof MultiError && unused.style === 'go-multierror');
  assert.equal(unused.message, [
    '3 errors occurred:',
    '\t* unknown configuration key: \'"bar"\'',
    '\t* unknown configuration key: \'"foo"\'',
    '\t* unknown configuration key: \'"nested.deep.extra"\'',
    '', '',
  ].join('\n'));
});

test('pluginType: keys `packer fix` rewrites are deprecated for the components Packer names', () => {
  const schema: Schema = { content: { type: 'string' } };
  const raw = [{ content: 'x', iso_checksum_type: 'md5', filename: 'f', ssh_host_port_min: 2, zzz: 1 }];
  const deprecated = (key: string) => `Deprecated configuration key: '${key}'. Please call \`packer fix\` against your ` +
    'template to update your template to be compatible with the current version of Packer. Visit ' +
    'https://www.packer.io/docs/commands/fix/ for more detail.';
  const unknown = (key: string) => `unknown configuration key: '"${key}"'`;
  assert.deepEqual(errorsOf(() => decodeConfig(schema, raw)), [unknown('filename'), unknown('iso_checksum_type'), unknown('ssh_host_port_min'), unknown('zzz')]);
  assert.deepEqual(errorsOf(() => decodeConfig(schema, raw, { pluginType: 'shell' })),
    [unknown('filename'), deprecated('iso_checksum_type'), deprecated('ssh_host_port_min'), unknown('zzz')]);
  assert.deepEqual(errorsOf(() => decodeConfig(schema, raw, { pluginType: 'packer.post-processor.manifest' })),
    [deprecated('filename'), deprecated('iso_checksum_type'), deprecated('ssh_host_port_min'), unknown('zzz')]);
});

test('interpolate: false keeps the text (still validated); opts.interpolate false skips rendering', () => {
  const schema: Schema = { cmd: { type: 'string', interpolate: false }, other: { type: 'string' } };
  const d = decodeConfig<{ cmd: string; other: string }>(schema, [{ cmd: 'run {{.Path}} {{user `who`}}', other: '{{user `who`}}' }, packerRaw]);
  assert.equal(d.config.cmd, 'run {{.Path}} {{user `who`}}');
  assert.equal(d.config.other, 'me');
  assert.equal(render(d.config.cmd, { ...d.ctx, data: { Path: '/p' } }), 'run /p me');
  assert.match(errorsOf(() => decodeConfig(schema, [{ cmd: '{{ bogus }}' }]))[0], /^invalid 'cmd': template: root:1: function "bogus" not defined/);
  const raw = decodeConfig<{ other: string }>(schema, [{ other: '{{ anything' }], { interpolate: false });
  assert.equal(raw.config.other, '{{ anything');
});

test('opts.ctx is the base context; data and funcs reach the templates', () => {
  const d = decodeConfig<{ s: string }>({ s: { type: 'string' } }, [{ s: '{{ .X }}-{{ hi }}' }], {
    ctx: { data: { X: 'dx' }, funcs: { hi: () => 'hello' } },
  });
  assert.equal(d.config.s, 'dx-hello');
});

test('a placeholder map as last raw is removed and drives `build`', () => {
  const schema: Schema = { inline: { type: 'string[]' } };
  const d = decodeConfig<{ inline: string[] }>(schema, [{ inline: ['echo {{ build `Host` }} {{ build `Custom` }}'] }, packerRaw, basicPlaceholderData(['Custom'])]);
  assert.deepEqual(d.config.inline, ['echo {{ build `Host` }} {{ build `Custom` }}']);
  assert.equal(render(d.config.inline[0], { ...d.ctx, buildData: { Host: 'h1', Custom: 'c1' } }), 'echo h1 c1');
  const errs = errorsOf(() => decodeConfig(schema, [{ inline: ['{{ build `NotGenerated` }}'] }, packerRaw, basicPlaceholderData()]));
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^render 'inline': .*error calling build: loaded data, but couldnt find NotGenerated in it\./);
});

test('keys match case-insensitively like mapstructure; type and packer_* are accepted', () => {
  const { config } = decodeConfig<Record<string, unknown>>({ content: { type: 'string' } }, [{ Content: 'x', type: 'file', packer_whatever: 1 }]);
  assert.deepEqual(config, { content: 'x' });
});

test('HCL2 configs: null packer_* attributes (unset in the template) do not clobber the core\'s settings', () => {
  const core = { packer_build_name: 'b1', packer_builder_type: 'mock', packer_debug: 'false', packer_force: true, packer_on_error: 'abort' };
  const cty = { mock: '{{build_name}}/{{build_type}}', packer_build_name: null, packer_builder_type: null, packer_debug: null, packer_force: null, packer_on_error: null, packer_user_variables: null };
  const d = decodeConfig<{ mock: string }>({ mock: { type: 'string' } }, [core, cty]);
  assert.equal(d.config.mock, 'b1/mock');
  assert.equal(d.packer.buildName, 'b1');
  assert.equal(d.packer.force, true);
  assert.equal(d.packer.onError, 'abort');
});
