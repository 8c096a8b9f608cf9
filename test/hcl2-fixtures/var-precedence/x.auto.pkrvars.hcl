b = "auto-b"
c = "auto-c"
d = "auto-d"
