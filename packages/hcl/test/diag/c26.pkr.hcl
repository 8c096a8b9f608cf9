x = foo(bar...)
}
