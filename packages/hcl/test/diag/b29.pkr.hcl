x = foo(a... , b)
