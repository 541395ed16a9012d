// Package assets embeds the data the tool ships with: the first 1,000 CIFAR-10 test images and
// 100 CIFAR-100 images in the official binary format, 120 ImageNet16-120 images, the NAS-Bench-201 ground-truth table, and
// its training table for simulated search, and GradSign of the whole space (as far as the
// project's run has scored it). tools/mkassets builds the first four from the project's source
// data; tools/mkspace the last from results/. The other spaces' tables are in packages of their
// own (assets/nb101), so the web app's binary carries only what it uses.
package assets

import (
	_ "embed"
	"sync"

	"gradsign/engine/cifar"
	"gradsign/engine/nb201"
)

// CIFAR10Bin holds CIFAR-10 test images 0..999 in the official binary format.
//
//go:embed cifar10_test_first1000.bin
var CIFAR10Bin []byte

// CIFAR100Bin holds 100 labelled CIFAR-100 images in the official binary format.
//
//go:embed cifar100_sample100.bin
var CIFAR100Bin []byte

// ImageNet16Bin holds one 16×16 image of each of ImageNet16-120's 120 classes, in label order,
// in CIFAR-10's record layout (a label byte, then the R, G and B planes).
//
//go:embed imagenet16_120_sample120.bin
var ImageNet16Bin []byte

// NB201Gz is the gzipped CSV table index,arch,cifar10,cifar100,imagenet16 of nb201.ReadTable.
//
//go:embed nb201.csv.gz
var NB201Gz []byte

// TrainingGz is the gzipped CSV table index,valid12,seconds12,valid200,seconds200 of
// search.ReadTable: what simulated NAS on NAS-Bench-201 returns and charges.
//
//go:embed nb201_training.csv.gz
var TrainingGz []byte

// SpaceBin is GradSign of every NAS-Bench-201 architecture on CIFAR-10 test images 0..127 with
// weights from seed 0, in package space's format (NaN where the run has not reached): what
// GradSign-assisted search looks scores up in, and the web app's whole-space view.
//
//go:embed nb201_space.bin
var SpaceBin []byte

// CIFAR returns the bundled images of a format (CIFAR10, CIFAR100 or ImageNet16).
func CIFAR(f cifar.Format) *cifar.Set {
	data := map[string][]byte{cifar.CIFAR10.Name: CIFAR10Bin, cifar.CIFAR100.Name: CIFAR100Bin, cifar.ImageNet16.Name: ImageNet16Bin}[f.Name]
	s, err := cifar.Read(data, f)
	if err != nil {
		panic("assets: bundled " + f.Name + " data is corrupt: " + err.Error())
	}
	return s
}

// Table returns the NAS-Bench-201 ground truth, read once.
var Table = sync.OnceValue(func() *nb201.Table {
	t, err := nb201.ReadTableGzip(NB201Gz)
	if err != nil {
		panic("assets: bundled NAS-Bench-201 table is corrupt: " + err.Error())
	}
	return t
})
