l = "not a list"
