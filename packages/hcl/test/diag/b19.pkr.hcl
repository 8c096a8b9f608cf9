block "lab" = {
}
