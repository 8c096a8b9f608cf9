a = { # comment
  b = 1 # c
  cc = 22 # d
}
x = [ ]
y = { }
z = [1,
2]
