locals {
  x = var.a? 1 : 2
  y = -1
  z = 1 - -2
  w = !var.b
  v = a.b[0].c
  u = foo( 1,2 ,3... )
  t = [for x in y: x if x>1]
  s = {for k,v in m: k=>v...}
  r = "${ a }-${b}%{if c}d%{endif}"
  q = a[*].b
  p = a.*.b
  o = 1*2+3/4%5
  n = a==b&&c!=d||e<f&&g>=h
}
