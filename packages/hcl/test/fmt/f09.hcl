x = {
  a = 1
  bbbbb = 2
  # comment breaks?
  cc = 3

  ddddddd = 4
}
y = func(a,
  b,
  c)
z = [
  { a = 1 },
  {
    b = 2
  },
]
