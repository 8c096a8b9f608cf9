v = [ for  k , v  in  var.m :   "${k}=${v}"   if   v != ""  ]
w = { for k,v in var.m : k => v ... }
u = a == -1 ? -b : - c
t = var.x[*].id
s = "%{ if a }yes%{ else }no%{ endif }"
r = "${ join(",", [ "a" , "b" ]) }"
q = -(1+2)
p = !(true)
o = a.b.c
n = f(-1, - 2, 3 - -4)
m = a ? b : c
