a = "unicode é" # c1
bé = 2 # c2
ccc = 3   # c3
