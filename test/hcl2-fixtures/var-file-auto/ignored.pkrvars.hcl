c = "not-auto"
