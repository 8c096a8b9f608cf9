
image_metadata = {
  key: "value",
  something: { 
    foo: "woo",
  }
}
