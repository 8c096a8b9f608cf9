x = `foo`
