import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import {
  render, validateTemplate, InterpolationError, formatGoTime, strftime, getInitTime, setInitTime,
  basicPlaceholderData, PLACEHOLDER_MSG, goSprintf, cleanResourceName,
} from '../src/template/interpolate/index.ts';
import type { InterpolateContext } from '../src/template/interpolate/index.ts';

const ctx: InterpolateContext = {
  userVariables: { v: 'x', name: 'World' }, buildName: 'mybuild', buildType: 'file',
  templatePath: '/tmp/some/dir/t.json', coreVersion: '1.6.6',
};
const r = (t: string, extra: InterpolateContext = {}) => render(t, { ...ctx, ...extra });
const err = (t: string, extra: InterpolateContext = {}) => {
  try { r(t, extra); } catch (e) { assert.ok(e instanceof InterpolationError); return e.message; }
  assert.fail(`no error for ${t}`);
};

test('plain text and simple functions', () => {
  assert.equal(r('no actions }}'), 'no actions }}');
  assert.equal(r('hello {{user `name`}}!'), 'hello World!');
  assert.equal(r('{{ user "v" }}|{{ build_name }}|{{build_type}}|{{packer_version}}'), 'x|mybuild|file|1.6.6');
  assert.equal(r('{{ template_dir }}'), '/tmp/some/dir');
  assert.equal(r('{{ pwd }}'), process.cwd());
  assert.equal(r('{{ upper `abc` }}{{ lower "DEF" }}'), 'ABCdef');
  assert.equal(r('{{ replace "a" "b" 2 "aaaa" }}|{{ replace "a" "b" -1 "aaaa" }}|{{ replace_all "a" "-" "banana" }}'), 'bbaa|bbbb|b-n-n-');
  assert.equal(r('{{ split "a-b-c" "-" 1 }}'), 'b');
  assert.equal(r('{{ user `undefined_var` }}'), '');
});

test('timestamp, isotime and strftime use the process init time', () => {
  const t0 = getInitTime();
  assert.equal(r('{{timestamp}}'), String(Math.floor(t0.ms / 1000)));
  setInitTime(new Date(Date.UTC(2009, 10, 3, 7, 5, 9, 40)));
  try {
    assert.equal(r('{{isotime}}'), '2009-11-03T07:05:09Z');
    assert.equal(r('{{isotime "2006-01-02"}}'), '2009-11-03');
    assert.equal(r('{{strftime "%Y%m%d-%H%M%S"}}'), '20091103-070509');
    assert.match(err('{{isotime "a" "b"}}'), /too many values, 1 needed: \[a b\]/);
  } finally { setInitTime(t0); }
});

test('Go layouts: every element', () => {
  const d = new Date(Date.UTC(2009, 10, 3, 7, 5, 9, 40)); // Tue 3 Nov 2009, day 307
  assert.equal(formatGoTime(d, 'Jan January 1 01 Mon Monday'), 'Nov November 11 11 Tue Tuesday');
  assert.equal(formatGoTime(d, '2|02|_2|__2|002'), '3|03| 3|307|307');
  assert.equal(formatGoTime(d, '15 3 03 4 04 5 05 2006 06 PM pm'), '07 7 07 5 05 9 09 2009 09 AM am');
  assert.equal(formatGoTime(d, 'MST Z07:00 Z0700 Z07 -0700 -07:00 -07 -070000 -07:00:00'), 'UTC Z Z Z +0000 +00:00 +00 +000000 +00:00:00');
  assert.equal(formatGoTime(d, '05.000|05.999|05.9|05.99|05,000|05.000000'), '09.040|09.04|09|09.04|09,040|09.040000');
  assert.equal(formatGoTime({ ms: d.getTime(), nanos: 40123456 }, '.999999999|.000000000'), '.040123456|.040123456');
  // words that merely start like an element stay literal
  assert.equal(formatGoTime(d, 'Janet Monda Mondays _2006 x'), 'Janet Monda Tuesdays _2009 x');
  const pm = new Date(Date.UTC(2021, 0, 5, 15, 4, 5));
  assert.equal(formatGoTime(pm, 'Monday 3:04PM 03 pm __2 002'), 'Tuesday 3:04PM 03 pm   5 005');
  assert.equal(formatGoTime(new Date(Date.UTC(2021, 0, 5, 0, 0, 0)), '3 03 PM'), '12 12 AM');
  assert.equal(strftime('%Y-%m-%d %H:%M:%S %a %A %b %B %p %Z %z %L %% %q %', pm), '2021-01-05 15:04:05 Tue Tuesday Jan January PM UTC +0000 .000 % %q %');
});

test('trim markers and comments', () => {
  assert.equal(r('a  \n {{- "b" -}} \n c'), 'abc');
  assert.equal(r('a {{- 3 }} b'), 'a3 b');
  assert.equal(r('a {{-3}} b'), 'a -3 b');
  assert.equal(r('x {{/* comment */}} y'), 'x  y');
  assert.equal(r('x {{- /* comment */ -}} y'), 'xy');
});

test('data, fields, missing values', () => {
  const data = { A: { B: 'deep' }, L: ['p', 'q'], N: null, Num: 2.5, Big: 1e6 };
  assert.equal(r('{{.A.B}}|{{.Missing}}|{{.A.Nope}}|{{.N}}|{{.Num}}', { data }), 'deep|<no value>|<no value>|<no value>|2.5');
  assert.equal(r('{{ .Missing.Deeper }}'), '<no value>');
  assert.equal(r('{{ . }}', { data: { k: 'v', a: [1, 'b'] } }), 'map[a:[1 b] k:v]');
  assert.equal(r('{{ (index .L 1) }}|{{ index .A "B" }}|{{ len .L }}|{{ len "héllo" }}', { data }), 'q|deep|2|6');
  assert.match(err('{{ .A.B.C }}', { data }), /executing "root" at <.A.B.C>: can't evaluate field C in type string/);
});

test('pipelines, parentheses, builtins', () => {
  assert.equal(r('{{ "abc" | upper | printf "%s-%s" "x" }}'), 'x-ABC');
  assert.equal(r('{{ upper (user `v`) }}'), 'X');
  assert.equal(r('{{ printf "%05.1f|%-4d|%x|%q|%v|%t" 3.14159 7 255 "a\\"b" .L true }}', { data: { L: [1, 2] } }), '003.1|7   |ff|"a\\"b"|[1 2]|true');
  assert.equal(r('{{ print 1 2 "a" "b" 3 }}|{{ println "x" 1 }}'), '1 2ab3|x 1\n');
  assert.equal(r('{{ and 1 0 }}|{{ and 1 2 }}|{{ or 0 "" "z" }}|{{ or 0 "" }}|{{ not "" }}'), '0|2|z||true');
  assert.equal(r('{{ eq 1 2 1 }}|{{ ne "a" "b" }}|{{ lt 1 2 }}|{{ le 2 2 }}|{{ gt "b" "a" }}|{{ ge 1 2 }}'), 'true|true|true|true|true|false');
  assert.equal(r('{{ html "<a&b>" }}|{{ urlquery "a b&c" }}'), '&lt;a&amp;b&gt;|a+b%26c');
  assert.equal(goSprintf('%d %s %!', [1]), '1 %!s(MISSING) %!!(NOVERB)'.replace('%!!(NOVERB)', '%!!(MISSING)'));
  assert.equal(goSprintf('%s', ['a', 2]), 'a%!(EXTRA int=2)');
  assert.equal(goSprintf('%d', ['a']), '%!d(string=a)');
  assert.equal(goSprintf('%g %v %e', [1e6 + 0.5, 0.000012, 1234.5]), '1.0000005e+06 1.2e-05 1.234500e+03');
});

test('control structures and variables', () => {
  assert.equal(r('{{ if .T }}yes{{ else }}no{{ end }}', { data: { T: true } }), 'yes');
  assert.equal(r('{{ if 0 }}a{{ else if "" }}b{{ else if 1 }}c{{ else }}d{{ end }}'), 'c');
  assert.equal(r('{{ range $i, $e := .L }}{{ $i }}={{ $e }};{{ else }}none{{ end }}', { data: { L: ['a', 'b'] } }), '0=a;1=b;');
  assert.equal(r('{{ range .L }}[{{ . }}]{{ else }}none{{ end }}', { data: { L: [] } }), 'none');
  assert.equal(r('{{ range $k, $v := . }}{{ $k }}:{{ $v }},{{ end }}', { data: { b: 2, a: 1 } }), 'a:1,b:2,');
  assert.equal(r('{{ range .L }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}', { data: { L: [1, 2, 3, 4, 5] } }), '13');
  assert.equal(r('{{ with .A }}{{ .B }}{{ else }}none{{ end }}|{{ with .Z }}x{{ else }}none{{ end }}', { data: { A: { B: 'b' } } }), 'b|none');
  assert.equal(r('{{ $x := "q" }}{{ $x }}{{ $x = "w" }}{{ $x }}{{ with "in" }}{{ . }}{{ $.R }}{{ end }}', { data: { R: 'root' } }), 'qwinroot');
});

test('parse errors are shaped like Go', () => {
  assert.equal(err('{{foo}}'), 'template: root:1: function "foo" not defined');
  assert.equal(err('{{ if }}'), 'template: root:1: missing value for if');
  assert.equal(err('{{ user `v` | upper'), 'template: root:1: unclosed action');
  assert.equal(err('{{ if 1 }}x'), 'template: root:1: unexpected EOF');
  assert.equal(err('a\n{{ end }}'), 'template: root:2: unexpected {{end}}');
  assert.equal(err('{{ "abc }}'), 'template: root:1: unterminated quoted string');
  assert.equal(err('{{ $y }}'), 'template: root:1: undefined variable "$y"');
  assert.equal(err('{{ }}'), 'template: root:1: missing value for command');
  assert.throws(() => validateTemplate('{{ nope }}'), /function "nope" not defined/);
  assert.doesNotThrow(() => validateTemplate('{{ nope }}', { funcs: { nope: () => 'x' } }));
  assert.doesNotThrow(() => validateTemplate('{{ env `X` }}{{ upper "a" }}'));
});

test('execution errors are shaped like Go', () => {
  assert.equal(err('{{env `HOME`}}'), 'template: root:1:2: executing "root" at <env `HOME`>: error calling env: env vars are not allowed here');
  assert.equal(err('{{user 1}}'), 'template: root:1:7: executing "root" at <1>: expected string; found 1');
  assert.equal(err('{{upper}}'), 'template: root:1:2: executing "root" at <upper>: wrong number of args for upper: want 1 got 0');
  assert.equal(err('{{ 3 | upper }}'), 'template: root:1:7: executing "root" at <upper>: wrong type for value; expected string; got int');
  assert.equal(err('x\n  {{ split "a,b" "," 5 }}'), 'template: root:2:5: executing "root" at <split "a,b" "," 5>: error calling split: the substring 5 was unavailable using the separator value, ,, only 2 values were found');
  assert.equal(err('{{ index . 1 }}'), 'template: root:1:3: executing "root" at <index . 1>: error calling index: index of untyped nil');
  assert.equal(err('{{ range $i, $e := split "a" "b" 0 }}{{ end }}'), 'template: root:1:33: executing "root" at <0>: range can\'t iterate over a');
  assert.equal(err('{{template_dir}}', { templatePath: undefined }), 'template: root:1:2: executing "root" at <template_dir>: error calling template_dir: template path not available');
  assert.equal(err('{{build_name}}', { buildName: '' }), 'template: root:1:2: executing "root" at <build_name>: error calling build_name: build_name not available');
  assert.match(err('{{ user `nope` }}', { enableEnv: true }), /error calling user: Error: variable not set: nope$/);
  assert.match(err('{{ sed "a" "b" }}'), /template function `sed` is deprecated/);
});

test('env when enabled; secret sources only where env is (vault and consul_key: test/template-services.test.ts)', () => {
  process.env.PACKER_TS_TEST_ENV = 'val';
  assert.equal(r('{{ env `PACKER_TS_TEST_ENV` }}', { enableEnv: true }), 'val');
  assert.match(err('{{ consul_key `k` }}'), /consul_key is not allowed here/);
  assert.match(err('{{ vault `p` `k` }}'), /Vault vars are only allowed in the variables section/);
  assert.match(err('{{ aws_secretsmanager `s` }}', { enableEnv: true }), /aws_secretsmanager function is not supported by packer-ts/);
});

test('uuid is time ordered', () => {
  const u = r('{{ uuid }}');
  assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const secs = parseInt(u.slice(0, 8), 16);
  assert.ok(Math.abs(secs - Date.now() / 1000) < 5);
  assert.notEqual(u, r('{{ uuid }}'));
});

test('ctx.funcs add and override functions', () => {
  const funcs = { twice: (s: unknown) => `${s}${s}`, upper: () => 'overridden', boom: () => { throw new Error('bad'); } };
  assert.equal(r('{{ twice "ab" }}|{{ "q" | twice }}|{{ upper "x" }}', { funcs }), 'abab|qq|overridden');
  assert.equal(err('{{ boom }}', { funcs }), 'template: root:1:3: executing "root" at <boom>: error calling boom: bad');
  // methods on data
  assert.equal(r('{{ .Get "k" }}', { data: { Get: (k: unknown) => `got ${k}` } }), 'got k');
});

test('build: placeholder, re-render, missing key', () => {
  const first = r('ssh {{ build `Host` }}:{{ build "Port" }}');
  assert.equal(first, 'ssh {{ build `Host` }}:{{ build `Port` }}');
  assert.equal(r(first, { buildData: { Host: '10.0.0.1', Port: 22 } }), 'ssh 10.0.0.1:22');
  assert.match(err('{{ build `Nope` }}', { buildData: { Host: 'h' } }), /error calling build: loaded data, but couldnt find Nope in it\.$/);
  const ph = basicPlaceholderData(['Extra']);
  assert.ok(ph.Host.includes(PLACEHOLDER_MSG));
  assert.equal(ph.WinRMPassword, '{{.WinRMPassword}}');
  assert.equal(r('{{ build `Extra` }}', { buildData: ph }), '{{ build `Extra` }}');
});

test('clean_resource_name variants', () => {
  assert.equal(cleanResourceName.amazon('a b:c/(d)*'), 'a b-c/(d)-');
  assert.equal(cleanResourceName.googlecompute('My_Image.1'), 'my-image-1');
  assert.equal(cleanResourceName.googlecompute('ok-name'), 'ok-name');
  assert.equal(cleanResourceName.azure('a b.c-_.'), 'a-b.c');
});

test('template_dir is absolute', () => {
  assert.equal(r('{{ template_dir }}', { templatePath: 'rel/t.json' }), dirname(`${process.cwd()}/rel/t.json`));
});
