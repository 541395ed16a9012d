// Package cifar reads CIFAR-10 and CIFAR-100 in their official binary format (and ImageNet16-120
// images in the same layout at 16×16) and turns images into the normalised float tensors a
// network takes, with the optional seeded augmentation of NAS-Bench-201's training (random crop
// with 4 pixels of zero padding, horizontal flip).
package cifar

import (
	"fmt"
	"math/rand/v2"

	"gradsign/engine/matmul"
)

// Side is CIFAR's image width and height; Pixels the bytes of one CIFAR image (R, G and B
// planes).
const (
	Side   = 32
	Pixels = 3 * Side * Side
)

// Format is a dataset's record layout, image size and normalisation.
type Format struct {
	Name    string
	Classes int
	// Side is the images' width and height.
	Side int
	// Mean and Std are the per-channel normalisation of NAS-Bench-201's pipeline for the
	// dataset.
	Mean, Std [3]float32
	// labelBytes precede each image: CIFAR-10 and ImageNet16-120 have the label; CIFAR-100
	// the coarse then the fine label, of which the fine one is used.
	labelBytes int
}

// The formats.
var (
	CIFAR10  = Format{Name: "cifar10", Classes: 10, Side: Side, Mean: cifarMean, Std: cifarStd, labelBytes: 1}
	CIFAR100 = Format{Name: "cifar100", Classes: 100, Side: Side, Mean: cifarMean, Std: cifarStd, labelBytes: 2}
	// ImageNet16 is NAS-Bench-201's ImageNet16-120: 16×16 images of 120 classes, labels 0..119.
	ImageNet16 = Format{Name: "imagenet16", Classes: 120, Side: 16,
		Mean: [3]float32{122.68 / 255, 116.66 / 255, 104.01 / 255}, Std: [3]float32{63.22 / 255, 61.26 / 255, 65.09 / 255}, labelBytes: 1}
)

// The per-channel normalisation of NAS-Bench-201's CIFAR pipeline.
var (
	cifarMean = [3]float32{0.4914, 0.4822, 0.4465}
	cifarStd  = [3]float32{0.2023, 0.1994, 0.2010}
)

// FormatByName returns "cifar10", "cifar100" or "imagenet16".
func FormatByName(name string) (Format, error) {
	for _, f := range []Format{CIFAR10, CIFAR100, ImageNet16} {
		if f.Name == name {
			return f, nil
		}
	}
	return Format{}, fmt.Errorf("unknown dataset %q: want cifar10, cifar100 or imagenet16", name)
}

// ImageBytes is the byte size of one image (R, G and B planes); RecordSize of one record.
func (f Format) ImageBytes() int { return 3 * f.Side * f.Side }
func (f Format) RecordSize() int { return f.labelBytes + f.ImageBytes() }

// Set is a set of labelled images.
type Set struct {
	Format Format
	data   []byte
}

// Read checks a whole binary batch file held in memory: a whole number of records, every label
// in range.
func Read(data []byte, f Format) (*Set, error) {
	rs := f.RecordSize()
	if len(data) == 0 || len(data)%rs != 0 {
		return nil, fmt.Errorf("%s binary: %d bytes is not a whole number of %d-byte records (truncated, or another dataset's file?)", f.Name, len(data), rs)
	}
	s := &Set{Format: f, data: data}
	for i := 0; i < s.Len(); i++ {
		if l := s.Label(i); l >= f.Classes {
			return nil, fmt.Errorf("%s binary: record %d has label %d, want 0..%d (another dataset's file?)", f.Name, i, l, f.Classes-1)
		}
	}
	return s, nil
}

// Append returns the set with the records of data after its own: a file that continues this
// one (the page fetches the first 128 images at load and the rest when a request needs them).
// data is checked as Read checks a file; the set itself is not changed.
func (s *Set) Append(data []byte) (*Set, error) {
	more, err := Read(data, s.Format)
	if err != nil {
		return nil, err
	}
	all := make([]byte, 0, len(s.data)+len(more.data))
	return &Set{Format: s.Format, data: append(append(all, s.data...), more.data...)}, nil
}

// Len is the number of images.
func (s *Set) Len() int { return len(s.data) / s.Format.RecordSize() }

// Label is image i's label (the fine label for CIFAR-100).
func (s *Set) Label(i int) int {
	return int(s.data[(i+1)*s.Format.RecordSize()-s.Format.ImageBytes()-1])
}

// Image is image i's bytes: the R, G and B planes (3072 bytes at 32×32), row-major.
func (s *Set) Image(i int) []byte {
	end := (i + 1) * s.Format.RecordSize()
	return s.data[end-s.Format.ImageBytes() : end]
}

// Batch returns images offset..offset+n-1 as a normalised [n, 3, side, side] tensor, as torchvision's
// ToTensor and Normalize compute it in float32, and their labels. With a non-nil rng each image
// is first randomly cropped from its 4-pixel zero-padded version and flipped with probability
// 1/2, in that order, as NAS-Bench-201's training pipeline does.
func Batch[T matmul.Float](s *Set, offset, n int, rng *rand.Rand) ([]T, []int, error) {
	if n < 1 || offset < 0 || n > s.Len() || offset > s.Len()-n { // no overflow for any int
		return nil, nil, fmt.Errorf("%d images from %d requested, but the data holds %d (0..%d): lower the count or the offset", n, offset, s.Len(), s.Len()-1)
	}
	f := s.Format
	side := f.Side
	x := make([]T, n*f.ImageBytes())
	labels := make([]int, n)
	for b := 0; b < n; b++ {
		img := s.Image(offset + b)
		labels[b] = s.Label(offset + b)
		dy, dx, flip := 0, 0, false
		if rng != nil {
			dy, dx, flip = rng.IntN(9)-4, rng.IntN(9)-4, rng.IntN(2) == 1
		}
		for c := 0; c < 3; c++ {
			dst := x[(b*3+c)*side*side : (b*3+c+1)*side*side]
			for y := 0; y < side; y++ {
				for xx := 0; xx < side; xx++ {
					sy, sx := y+dy, xx+dx
					if flip {
						sx = side - 1 - xx + dx
					}
					var v float32 // zero padding is black, before normalisation
					if sy >= 0 && sy < side && sx >= 0 && sx < side {
						v = float32(img[c*side*side+sy*side+sx]) / 255
					}
					dst[y*side+xx] = T((v - f.Mean[c]) / f.Std[c])
				}
			}
		}
	}
	return x, labels, nil
}

// Resize scales n images of c channels from inH×inW to outH×outW bilinearly, as PyTorch's
// F.interpolate(mode="bilinear", align_corners=False) does (half-pixel centres, edges
// clamped): the images a model of another input size is fed. It is linear, so resizing
// normalised images equals normalising resized ones.
func Resize[T matmul.Float](x []T, n, c, inH, inW, outH, outW int) []T {
	out := make([]T, n*c*outH*outW)
	// src is the source coordinate of output index i and the two neighbours' weights.
	src := func(i, in, outSize int) (i0, i1 int, w1 float64) {
		p := max(0, (float64(i)+0.5)*float64(in)/float64(outSize)-0.5)
		i0 = min(int(p), in-1)
		i1 = min(i0+1, in-1)
		return i0, i1, p - float64(i0)
	}
	for plane := range n * c {
		in := x[plane*inH*inW : (plane+1)*inH*inW]
		o := out[plane*outH*outW : (plane+1)*outH*outW]
		for y := range outH {
			y0, y1, wy := src(y, inH, outH)
			for xx := range outW {
				x0, x1, wx := src(xx, inW, outW)
				top := (1-wx)*float64(in[y0*inW+x0]) + wx*float64(in[y0*inW+x1])
				bottom := (1-wx)*float64(in[y1*inW+x0]) + wx*float64(in[y1*inW+x1])
				o[y*outW+xx] = T((1-wy)*top + wy*bottom)
			}
		}
	}
	return out
}

// Fit adapts a batch of images of format f (normalised) and their labels to a network that
// takes h×w images and has classes outputs: resized where h×w is not the format's size, labels
// taken modulo classes where it has fewer outputs than the set has classes (the loss needs
// labels in range). It returns the images and a note of each change, for the result to say.
func Fit[T matmul.Float](x []T, labels []int, f Format, h, w, classes int) ([]T, []string) {
	var notes []string
	if h != f.Side || w != f.Side {
		x = Resize(x, len(labels), 3, f.Side, f.Side, h, w)
		notes = append(notes, fmt.Sprintf("the model takes %d×%d images: the %d×%d images resized bilinearly", h, w, f.Side, f.Side))
	}
	if setClasses := f.Classes; classes > 0 && classes < setClasses {
		for i := range labels {
			labels[i] %= classes
		}
		notes = append(notes, fmt.Sprintf("the model has %d outputs and the images %d classes: labels taken modulo %d", classes, setClasses, classes))
	}
	return x, notes
}
