x = { for a in b : a => b if c ... }
