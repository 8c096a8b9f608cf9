locals {
  # leading comment
  a = 1

  /* block
     comment */
  bbbbbbbb = "two"   // trailing
  c        = {
    d = 1
  }
  ee = 3
}
