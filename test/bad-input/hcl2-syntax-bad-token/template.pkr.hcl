source "null" "a" {
  communicator = @none
}
