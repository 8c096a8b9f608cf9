x = a ? b : c
y = (a + b) * c
z = a[0][1]
w = a["k"].b
v = 1.5e3
u = a.0.b
t = "%%{x} $${y}"
s = { for a, b in c : a => b if b != null }
