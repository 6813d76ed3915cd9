// Command filedex indexes directories into a library and answers path, search and duplicate queries.
package main

import "fmt"

func main() { fmt.Println("filedex: under construction") }
