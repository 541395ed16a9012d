package cifar_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gradsign/assets"
	"gradsign/engine/cifar"
	"gradsign/internal/oracle"
)

// The bundled images, normalised, are exactly the reference files' inputs; for a model of
// another input size or class count (testdata/onnx's wide64_5classes), fitted to it (Fit: the
// resized images within float32 rounding of PyTorch's F.interpolate, labels modulo its
// outputs).
func TestBatchMatchesReferenceInputs(t *testing.T) {
	refs, err := oracle.All()
	if err != nil {
		t.Fatal(err)
	}
	set := assets.CIFAR(cifar.CIFAR10)
	if set.Len() != 1000 {
		t.Fatalf("%d bundled images, want 1000", set.Len())
	}
	for _, ref := range refs {
		x, labels, err := cifar.Batch[float32](set, ref.Offset, ref.N, nil)
		if err != nil {
			t.Fatal(err)
		}
		in := ref.File.Tensors["input"]
		x, _ = cifar.Fit(x, labels, cifar.CIFAR10, in.Shape[2], in.Shape[3], ref.Classes)
		want := in.Float32s()
		if len(x) != len(want) {
			t.Fatalf("%s: %d input values, PyTorch %d", ref.Name, len(x), len(want))
		}
		for i := range want {
			if math.Abs(float64(x[i]-want[i])) > 2e-6 {
				t.Fatalf("%s: input[%d] = %v, PyTorch %v", ref.Name, i, x[i], want[i])
			}
		}
		l, _ := ref.File.Tensors["labels"].Int64s()
		for i := range l {
			if int64(labels[i]) != l[i] {
				t.Fatalf("%s: label %d = %d, want %d", ref.Name, i, labels[i], l[i])
			}
		}
	}
	// The first labels of the CIFAR-10 test batch.
	for i, want := range []int{3, 8, 8, 0, 6, 6, 1, 6, 3, 1} {
		if set.Label(i) != want {
			t.Fatalf("label %d = %d, want %d", i, set.Label(i), want)
		}
	}
	c100 := assets.CIFAR(cifar.CIFAR100)
	if c100.Len() != 100 || c100.Label(0) != 19 || c100.Label(1) != 38 {
		t.Fatalf("CIFAR-100: %d images, labels %d %d", c100.Len(), c100.Label(0), c100.Label(1))
	}
}

func TestAugmentation(t *testing.T) {
	set := assets.CIFAR(cifar.CIFAR10)
	plain, _, _ := cifar.Batch[float64](set, 0, 1, nil)
	a, _, _ := cifar.Batch[float64](set, 0, 20, rand.New(rand.NewPCG(1, 2)))
	b, _, _ := cifar.Batch[float64](set, 0, 20, rand.New(rand.NewPCG(1, 2)))
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("the same seed gave different augmentations")
		}
	}
	// Every augmented image is the original shifted by up to 4 pixels, maybe mirrored, with
	// zero (black) padding.
	const s = cifar.Side
	img := a[:3*s*s]
	black := func(c int) float64 { return float64((0 - cifar.CIFAR10.Mean[c]) / cifar.CIFAR10.Std[c]) }
	found := false
	for dy := -4; dy <= 4 && !found; dy++ {
		for dx := -4; dx <= 4 && !found; dx++ {
			for _, flip := range []bool{false, true} {
				ok := true
				for c := 0; c < 3 && ok; c++ {
					for y := 0; y < s && ok; y++ {
						for x := 0; x < s && ok; x++ {
							sx := x + dx
							if flip {
								sx = s - 1 - x + dx
							}
							want := black(c)
							if sy := y + dy; sy >= 0 && sy < s && sx >= 0 && sx < s {
								want = plain[c*s*s+sy*s+sx]
							}
							ok = math.Abs(img[c*s*s+y*s+x]-want) < 1e-6
						}
					}
				}
				found = found || ok
			}
		}
	}
	if !found {
		t.Fatal("augmented image 0 is no crop or flip of the original")
	}
}

func TestErrors(t *testing.T) {
	if _, err := cifar.Read(assets.CIFAR10Bin[:3073*2+5], cifar.CIFAR10); err == nil || !strings.Contains(err.Error(), "whole number") {
		t.Errorf("truncated file: %v", err)
	}
	if _, err := cifar.Read(assets.CIFAR100Bin[:3074*10], cifar.CIFAR10); err == nil {
		t.Error("CIFAR-100 records read as CIFAR-10: no error")
	}
	if _, err := cifar.Read(nil, cifar.CIFAR10); err == nil {
		t.Error("empty file: no error")
	}
	set := assets.CIFAR(cifar.CIFAR10)
	for _, c := range [][2]int{{0, 1001}, {999, 2}, {-1, 3}, {0, 0}} {
		if _, _, err := cifar.Batch[float32](set, c[0], c[1], nil); err == nil || !strings.Contains(err.Error(), "holds 1000") {
			t.Errorf("offset %d, n %d: %v", c[0], c[1], err)
		}
	}
	if _, err := cifar.FormatByName("imagenet"); err == nil {
		t.Error("unknown dataset: no error")
	}
}

// TestAppend: the first 128 records and the other 872 appended are the whole file; a
// truncated continuation is refused and leaves the set as it was.
func TestAppend(t *testing.T) {
	const split = 128 * 3073
	first, err := cifar.Read(assets.CIFAR10Bin[:split], cifar.CIFAR10)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := first.Append(assets.CIFAR10Bin[split:])
	if err != nil {
		t.Fatal(err)
	}
	want := assets.CIFAR(cifar.CIFAR10)
	if whole.Len() != want.Len() || first.Len() != 128 {
		t.Fatalf("%d images after appending, %d before; want %d and 128", whole.Len(), first.Len(), want.Len())
	}
	for i := range want.Len() {
		if whole.Label(i) != want.Label(i) || !bytes.Equal(whole.Image(i), want.Image(i)) {
			t.Fatalf("image %d differs from the whole file's", i)
		}
	}
	if _, err := first.Append(assets.CIFAR10Bin[split : split+100]); err == nil || !strings.Contains(err.Error(), "whole number") {
		t.Errorf("truncated continuation: %v", err)
	}
}

// TestBatchRangeNoOverflow: counts and offsets near the int limit are refused, not wrapped.
func TestBatchRangeNoOverflow(t *testing.T) {
	s, err := cifar.Read(make([]byte, 3*3073), cifar.CIFAR10)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]int{{math.MaxInt - 1, 2}, {0, math.MaxInt}, {1, 3}, {-1, 1}} {
		if _, _, err := cifar.Batch[float32](s, c[0], c[1], nil); err == nil || !strings.Contains(err.Error(), "the data holds 3") {
			t.Errorf("offset %d, n %d: %v", c[0], c[1], err)
		}
	}
}

// Resize matches PyTorch's bilinear interpolation (align_corners=False): values computed with
// torch.nn.functional.interpolate(torch.arange(6.).view(1, 1, 2, 3), size=(4, 2),
// mode='bilinear', align_corners=False) in PyTorch 1.13; and the same size is the identity.
func TestResize(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4, 5}
	want := []float64{0.25, 1.75, 1.0, 2.5, 2.5, 4.0, 3.25, 4.75}
	got := cifar.Resize(x, 1, 1, 2, 3, 4, 2)
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("resized %v, PyTorch %v", got, want)
		}
	}
	if same := cifar.Resize(x, 1, 1, 2, 3, 2, 3); !slices.Equal(same, x) {
		t.Errorf("resizing to the same size: %v", same)
	}
}

// The bundled ImageNet16-120 images: 120 records of 16×16, labels 0..119 in order, normalised
// with NAS-Bench-201's ImageNet16-120 mean and std; FormatByName knows the dataset.
func TestImageNet16(t *testing.T) {
	f, err := cifar.FormatByName("imagenet16")
	if err != nil || f != cifar.ImageNet16 || f.Side != 16 || f.Classes != 120 {
		t.Fatalf("format %+v, %v", f, err)
	}
	set := assets.CIFAR(f)
	if set.Len() != 120 {
		t.Fatalf("%d images, want 120", set.Len())
	}
	x, labels, err := cifar.Batch[float32](set, 0, 120, nil)
	if err != nil || len(x) != 120*3*16*16 {
		t.Fatalf("%d values, %v", len(x), err)
	}
	for i, l := range labels {
		if l != i {
			t.Fatalf("image %d has label %d", i, l)
		}
	}
	// Image 7's green plane, pixel (3, 5): (v/255 − 116.66/255) / (61.26/255).
	v := set.Image(7)[256+3*16+5]
	want := (float32(v)/255 - float32(116.66/255)) / float32(61.26/255)
	if got := x[(7*3+1)*256+3*16+5]; got != want {
		t.Fatalf("normalised value %v, want %v", got, want)
	}
	if _, err := cifar.Read(assets.ImageNet16Bin[:769*3+5], cifar.ImageNet16); err == nil || !strings.Contains(err.Error(), "769-byte records") {
		t.Fatalf("truncated file: %v", err)
	}
}
