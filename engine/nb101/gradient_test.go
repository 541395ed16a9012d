package nb101_test

import (
	"math"
	"strings"
	"testing"

	"gradsign/engine/backend/cpu"
	"gradsign/engine/layers"
	"gradsign/engine/nb101"
	"gradsign/engine/network"
)

func TestScratchFD(t *testing.T) {
	for _, cs := range [][2]string{{"0111000001100000010000000100000001000000010000000", "conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu"},
		{"0100010001000000011100000110000001000000000000000", "conv3x3-bn-relu,maxpool3x3,conv3x3-bn-relu,conv1x1-bn-relu"}} {
		c, err := nb101.ParseCell(cs[0], strings.Split(cs[1], ","))
		if err != nil {
			t.Fatal(err)
		}
		net, err := network.Build[float64](nb101.Config{Cell: c, Stem: 5, Stacks: 2, CellsPerStack: 1, Classes: 10, H: 8, W: 8})
		if err != nil {
			t.Fatal(err)
		}
		net.Init(3)
		x := make([]float64, net.InputSize())
		for i := range x {
			x[i] = math.Sin(float64(i)*0.37) + 0.1*math.Cos(float64(i))
		}
		ws := net.NewWorkspace(cpu.New[float64](1), 1, network.PerSample)
		loss := func() float64 {
			l := ws.Forward(x)
			losses, d := make([]float64, 1), make([]float64, 10)
			layers.SoftmaxCrossEntropy(losses, d, l, []int{3}, 1, 10, 1)
			return losses[0]
		}
		l := ws.Forward(x)
		losses, d := make([]float64, 1), make([]float64, 10)
		layers.SoftmaxCrossEntropy(losses, d, l, []int{3}, 1, 10, 1)
		ws.Backward(d)
		for _, p := range net.Weights() {
			g := ws.ParamGrad(p)
			w := net.Params[p].Data
			worst := 0.0
			for k := 0; k < len(w); k += 1 + len(w)/20 {
				o := w[k]
				w[k] = o + 1e-6
				ws.SyncParams()
				up := loss()
				w[k] = o - 1e-6
				ws.SyncParams()
				dn := loss()
				w[k] = o
				ws.SyncParams()
				worst = max(worst, math.Abs((up-dn)/2e-6-g[k]))
			}
			if worst > 1e-5 {
				t.Errorf("%s: FD differs by %g", net.Params[p].Name, worst)
			}
		}
	}
}
