/* unterminated
x = 1
