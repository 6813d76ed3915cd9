package cas_test

import (
	"fmt"
	"strings"

	"github.com/filedex/filedex/core/internal/cas"
)

func ExampleID() {
	content := "hello, world\n"
	id, err := cas.ID(strings.NewReader(content), int64(len(content)))
	if err != nil {
		panic(err)
	}
	fmt.Println(cas.String(id))
	back, _ := cas.Parse(cas.String(id))
	fmt.Println(back == id)
	_, err = cas.ID(strings.NewReader(""), 0)
	fmt.Println(err)
	// Output:
	// 8ca4861839e01017
	// true
	// cas: empty file has no content id
}
