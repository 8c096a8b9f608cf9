/* block comment */
a = 1 /* inline */
# hash
// slash
b = { x = 1, y = 2 }
c = {
  "quoted key" = 1
  (expr) = 2
  k: 3
}
