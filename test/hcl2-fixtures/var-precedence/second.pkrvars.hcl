d = "second-d"
e = "second-e"
