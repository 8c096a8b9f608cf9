x = true ? 1
