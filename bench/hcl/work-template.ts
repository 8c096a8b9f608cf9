// The benchmark template: 200 sources and 200 locals with a function-heavy expression each.

export function template(n: number): string {
  let s = 'variable "prefix" {\n  type    = string\n  default = "img"\n}\n\nlocals {\n';
  for (let i = 0; i < n; i++) {
    s += `  l${i} = join("-", [for k, v in { a = "${i}", b = upper(var.prefix) } : format("%s=%s", k, lower(v))])\n`;
  }
  s += '}\n\n';
  for (let i = 0; i < n; i++) {
    s += `source "null" "s${i}" {\n  communicator = "none"\n  tags = {\n    name  = "\${var.prefix}-${i}"\n    local = local.l${i}\n    sum   = max(${i}, length(local.l${i})) + ${i} * 2\n  }\n}\n\n`;
  }
  s += 'build {\n  sources = [\n' + Array.from({ length: n }, (_, i) => `    "source.null.s${i}",`).join('\n') + '\n  ]\n}\n';
  return s;
}

