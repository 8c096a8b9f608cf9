x = {for a in b : a}
