c = "first-c"
d = "first-d"
e = "first-e"
