locals {
  values = [
    format("%05.2f|%-4s|%x", 3.14159, "ab", 255),
    join("-", split(",", "a,b,c")),
    replace("hello world", "o", "0"),
    regex_replace("abc123", "[0-9]+", "N"),
    lower(upper("MiXeD")),
    title("hello there"),
    trimspace("  pad  "),
    substr("abcdef", 1, 3),
    lookup({ a = "1" }, "b", "dflt"),
    jsonencode(merge({ a = 1 }, { b = 2 })),
    jsonencode(keys({ z = 1, y = 2 })),
    length([1, 2, 3]),
    max(1, 9, 3),
    ceil(1.2),
    cidrsubnet("10.0.0.0/16", 8, 2),
    base64encode("packer"),
    sha256("packer"),
    md5("packer"),
    jsonencode(distinct([1, 1, 2])),
    jsonencode(flatten([[1], [2, [3]]])),
    jsonencode(reverse([1, 2])),
    jsonencode(sort(["b", "a"])),
    jsonencode(zipmap(["k"], ["v"])),
    jsonencode(range(3)),
    jsonencode(chunklist([1, 2, 3], 2)),
    coalesce("", "second"),
    abs(-4),
    formatlist("<%s>", ["a", "b"])[1],
    indent(2, "x\ny"),
    file("${path.root}/data.txt"),
    jsonencode(yamldecode("a: [1, 2]")),
    jsonencode(csvdecode("a,b\n1,2")),
    parseint("ff", 16),
    formatdate("YYYY-MM-DD", "2020-01-02T03:04:05Z"),
    jsonencode(setunion(["a"], ["b"])),
    convert("5", number) + 1,
  ]
}
source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["printf '%s' '${jsonencode(local.values)}' > out.json"]
  }
}
