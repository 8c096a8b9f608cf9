undeclared = "x"
