source "null" "x" {
communicator="none"
    foo = {
  a = 1
      bb = 2
    }
  list = [
  1,
     2,
  ]
}
